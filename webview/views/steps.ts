/**
 * The shown sample: its heading (answer, verdicts, the filter, the legend with each judge's τ), the
 * reasoning trace and failures, and one row per step with its flags (each judge's first error, the
 * dataset's, the person's), its text, the self and PRM score bars, and its labels. Built with `h()`.
 */
import { SELF_JUDGE_ID } from '../../src/core/rerank.js';
import type { Judgement, Sample } from '../../src/core/schemas.js';
import { TRACE } from '../browse.js';
import { button, checkbox, collapsible, icon } from '../components.js';
import { answerNode, type Child, correctness, h, plural, replace } from '../dom.js';
import { type MarkRange, markMatches } from '../highlight.js';
import { appendMathText } from '../math.js';
import {
  formatScore,
  hasSelf,
  judgeFirstError,
  thresholdLegend,
  thresholdOf,
  verdictText,
} from '../model.js';
import { labelKeys } from '../saves.js';
import type { PanelState } from '../state.js';
import {
  type Dispatch,
  marked,
  renderLabelControls,
  renderNote,
  renderNoteField,
  saveMark,
} from './labels.js';

export function renderStepsHead(element: HTMLElement, state: PanelState, dispatch: Dispatch): void {
  const run = state.run;
  const sample = state.currentSample();
  if (!run || !sample) {
    const hidden = run !== null && run.samples.length > 0 && state.shown.length === 0;
    replace(
      element,
      h('h3', {}, 'Steps'),
      h('span', { class: 'muted' }, hidden ? 'No sample is shown: the filters keep none.' : 'No sample yet.'),
    );
    return;
  }
  const humanFirst = state.labels[sample.index]?.firstError;
  // Said beside the count: a flagged step (a first error) may be among them.
  const hiddenSteps = state.view.onlyDisagreements ? sample.steps.length - state.visibleSteps.length : 0;
  const gold = state.gold === sample.index ? run.problem.humanFirstError : undefined;
  const swatch = (kind: string, text: string) =>
    h('span', { class: 'legend-item' }, h('span', { class: `swatch ${kind}` }), text);
  replace(
    element,
    h('h3', {}, `Sample ${sample.index}`),
    h(
      'span',
      { class: 'muted sample-facts' },
      `${sample.steps.length} steps${hiddenSteps > 0 ? ` (${hiddenSteps} hidden by Only disagreements)` : ''} · answer `,
      answerNode(sample.answer),
      ' ',
      correctness(sample.correct),
      sample.finishReason && sample.finishReason !== 'stop' ? ` · finish: ${sample.finishReason}` : '',
      gold !== undefined ? h('span', { class: 'gold-verdict' }, ` · dataset: ${verdictText(gold)}`) : '',
      humanFirst !== undefined || state.saves.state(labelKeys.firstError(sample.index))
        ? h(
            'span',
            { class: 'human-verdict' },
            ` · human: ${verdictText(humanFirst)}`,
            saveMark(state, labelKeys.firstError(sample.index)),
          )
        : '',
    ),
    checkbox('Only disagreements', state.view.onlyDisagreements, (only) =>
      dispatch({ kind: 'setFilter', only }),
    ),
    h(
      'div',
      { class: 'legend' },
      swatch('self', 'Self-PRM'),
      swatch('prm', state.view.prm ?? 'PRM'),
      // τ goes with the last item: never alone on a line.
      h(
        'span',
        { class: 'legend-item' },
        h('span', { class: 'swatch disagree' }),
        'disagree',
        h('span', { class: 'muted tau' }, ` · ${thresholdLegend(run, state.view.prm)}`),
      ),
    ),
  );
}

export function renderTrace(element: HTMLElement, state: PanelState, dispatch: Dispatch): void {
  const sample = state.currentSample();
  if (!sample) {
    replace(element);
    return;
  }
  const children: Child[] = [];
  if (sample.error) children.push(h('p', { class: 'error-text' }, `Sampling failed: ${sample.error}`));
  for (const [judge, judgement] of Object.entries(sample.judgements))
    if (judgement.error)
      children.push(h('p', { class: 'error-text' }, `${judge} failed: ${judgement.error}`));
  if (sample.reasoning) {
    const pre = h('pre', { class: 'reasoning' });
    fillTrace(pre, state, sample.index, sample.reasoning);
    children.push(
      collapsible(
        `Reasoning trace (${thousands(sample.reasoning.length)} characters)`,
        pre,
        currentInTrace(state, sample.index),
      ),
    );
  }
  if (state.view.onlyDisagreements && state.visibleSteps.length === 0 && sample.steps.length > 0)
    // Reached with the filter on (J / K, a click): never a blank steps area. It says why, and
    // offers the way back where the steps would be.
    children.push(
      h(
        'div',
        { class: 'no-disagreements', role: 'status' },
        h(
          'p',
          {},
          `The judges agree on every step of this sample. Only disagreements hides all ${plural(sample.steps.length, 'step')} of sample ${sample.index}.`,
        ),
        button('Show all steps', () => dispatch({ kind: 'setFilter', only: false }), {
          title: 'turn Only disagreements off (f)',
        }),
      ),
    );
  replace(element, ...children);
}

/** The trace's text (a text node, never markup) with the search's matches marked. */
function fillTrace(pre: HTMLElement, state: PanelState, sample: number, reasoning: string): void {
  pre.textContent = reasoning;
  const found = state.matchesAt(sample, TRACE);
  if (found.length === 0) return;
  markMatches(pre, reasoning, ranges(state, found));
}

function currentInTrace(state: PanelState, sample: number): boolean {
  const current = state.search.matches[state.search.current];
  return current !== undefined && current.sample === sample && current.step === TRACE;
}

/**
 * The search changed: the trace's marks are redrawn in place, and the trace is opened when the
 * match gone to is in it (closed by hand, it stays closed while the search moves elsewhere).
 */
export function remarkTrace(element: HTMLElement, state: PanelState): void {
  const sample = state.currentSample();
  const pre = element.querySelector<HTMLElement>('pre.reasoning');
  if (!sample?.reasoning || !pre) return;
  if (state.matchesAt(sample.index, TRACE).length > 0 || pre.querySelector('mark'))
    fillTrace(pre, state, sample.index, sample.reasoning);
  const trace = pre.closest('vscode-collapsible') as (HTMLElement & { open: boolean }) | null;
  if (trace && currentInTrace(state, sample.index)) trace.open = true;
}

/**
 * 12,345: as toLocaleString('en-US') writes it, without its first call's cost (the browser loads
 * its number formats then, 15–60 ms, which the first paint of a sample with a trace would wait for).
 */
function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function renderStepRow(state: PanelState, dispatch: Dispatch, position: number): HTMLElement {
  const run = state.run!;
  const sample = state.currentSample()!;
  const summary = state.currentSummary()!;
  const step = state.visibleSteps[position]!;
  const self = sample.judgements[SELF_JUDGE_ID];
  const prm = state.view.prm === undefined ? undefined : sample.judgements[state.view.prm];
  const labels = state.labels[sample.index];
  const disagree = summary.disagreement.steps[step] === true;
  const selected = step === state.view.step;
  // Element Timing names the step's text: the bench reads when it was first on screen.
  const text = h('div', { class: 'step-text', elementtiming: 'step-text' });
  fillStepText(text, state, sample, step);

  const flags: Child[] = [];
  if (judgeFirstError(run, sample, SELF_JUDGE_ID) === step)
    flags.push(h('span', { class: 'flag self' }, icon('flag'), ' Self: first error'));
  if (state.view.prm !== undefined && judgeFirstError(run, sample, state.view.prm) === step)
    flags.push(h('span', { class: 'flag prm' }, icon('flag'), ` ${state.view.prm}: first error`));
  if (state.gold === sample.index && run.problem.humanFirstError === step)
    flags.push(
      h(
        'span',
        { class: 'flag gold', title: "the dataset's own label for this row" },
        icon('bookmark'),
        ' Dataset: first error',
      ),
    );
  if (labels?.firstError === step) {
    const key = labelKeys.firstError(sample.index);
    flags.push(
      marked(
        state,
        h('span', { class: 'flag human' }, icon('person'), ' Human: first error', saveMark(state, key)),
        key,
      ),
    );
  }
  const editing = state.note?.sample === sample.index && state.note.step === step;

  const row = h(
    'div',
    {
      class: `step${disagree ? ' disagree' : ''}${selected ? ' selected' : ''}`,
      role: 'option',
      'aria-selected': selected ? 'true' : 'false',
      'data-step': String(step),
    },
    h(
      'div',
      { class: 'step-index' },
      String(step),
      disagree ? icon('warning', 'the judges disagree on this step') : null,
    ),
    h(
      'div',
      { class: 'step-body' },
      flags.length > 0 ? h('div', { class: 'flags' }, ...flags) : null,
      text,
      h(
        'div',
        { class: 'scores' },
        hasSelf(run) ? scoreBar('Self', 'self', self, step, thresholdOf(run, SELF_JUDGE_ID)) : null,
        state.view.prm !== undefined
          ? scoreBar(state.view.prm, 'prm', prm, step, thresholdOf(run, state.view.prm))
          : null,
      ),
      renderLabelControls(state, dispatch, sample.index, step, disagree),
      renderNote(state, sample.index, step),
      editing ? renderNoteField(state, dispatch) : null,
    ),
  );
  row.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).closest('button, .note-editor')) return;
    dispatch({ kind: 'selectStep', step, scroll: false });
  });
  return row;
}

/** A step's text, math typeset, with the search's matches marked. */
function fillStepText(text: HTMLElement, state: PanelState, sample: Sample, step: number): void {
  appendMathText(text, sample.steps[step]!, { defer: true });
  const found = state.matchesAt(sample.index, step);
  if (found.length === 0) return;
  markMatches(text, sample.steps[step]!, ranges(state, found));
}

/** Matches (indices into search.matches) as ranges to mark. */
function ranges(state: PanelState, found: number[]): MarkRange[] {
  const length = state.search.query.length;
  return found.map((i) => {
    const start = state.search.matches[i]!.start;
    return { start, end: start + length, current: i === state.search.current };
  });
}

/**
 * The search changed: the marks of the step rows on screen are redrawn in their text alone. The
 * rows stay (no new layout of the list per key typed); rows with no mark before or after are
 * left as they are.
 */
export function remarkStepRows(list: HTMLElement, state: PanelState): void {
  const sample = state.currentSample();
  if (!sample) return;
  for (const row of list.querySelectorAll<HTMLElement>('.step[data-step]')) {
    const step = Number(row.dataset.step);
    const text = row.querySelector<HTMLElement>('.step-text');
    if (!text) continue;
    if (state.matchesAt(sample.index, step).length === 0 && !text.querySelector('mark, .search-hit'))
      continue;
    text.replaceChildren();
    fillStepText(text, state, sample, step);
  }
}

function scoreBar(
  label: string,
  kind: 'self' | 'prm',
  judgement: Judgement | undefined,
  step: number,
  threshold: number,
): HTMLElement {
  const score = judgement?.stepScores[step] ?? null;
  const fill = h('span', { class: 'fill' });
  const tick = h('span', { class: 'tick' });
  tick.style.left = `${threshold * 100}%`;
  if (score !== null) fill.style.width = `${Math.round(score * 100)}%`;
  const low = score !== null && score < threshold;
  const unscored =
    judgement &&
    !judgement.error &&
    score === null &&
    judgement.unscoredFrom !== undefined &&
    step >= judgement.unscoredFrom;
  return h(
    'div',
    { class: `score ${kind}${low ? ' low' : ''}` },
    h('span', { class: 'score-label', title: label }, label),
    h(
      'span',
      {
        class: 'bar',
        role: 'meter',
        'aria-valuemin': '0',
        'aria-valuemax': '1',
        'aria-valuenow': score === null ? undefined : String(score),
        'aria-label': `${label} score`,
      },
      fill,
      tick,
    ),
    h(
      'span',
      { class: 'score-value' },
      judgement?.error ? 'failed' : unscored ? 'unscored' : formatScore(score),
    ),
  );
}
