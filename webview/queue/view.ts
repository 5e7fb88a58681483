/**
 * Draws the queue page: the progress line, the one item (problem, solution context with the step
 * in question highlighted, both judges' scores at τ and first errors, reference and final answer,
 * the person's label and whether it is saved), the key bar, and the rubric beside it (below it in a
 * narrow side bar, collapsible). Every string from a run or a rubric goes in as text (math through
 * KaTeX with trust off); nothing is parsed as HTML.
 */
import {
  QUEUE_ORDERS,
  type QueueItem,
  type QueueOrder,
  type QueueRun,
  type QueueSample,
} from '../../src/core/auditQueue.js';
import { labelConflictSentence, labelConflicts } from '../../src/core/labelConflicts.js';
import { SELF_JUDGE_ID } from '../../src/core/rerank.js';
import { type InlineSpan, parseRubric } from '../../src/core/rubric.js';
import { noteFieldKeys } from '../components.js';
import { answerNode, type Child, correctness, h, plural, replace } from '../dom.js';
import { appendMathText } from '../math.js';
import { QUEUE_KEY_HELP } from './keys.js';
import type { QueueAction, QueueState } from './state.js';

type Dispatch = (action: QueueAction) => void;

/** Earlier steps shown in full above the step in question; the ones before are folded. */
const CONTEXT_STEPS = 3;

function mathBlock(text: string, className: string): HTMLElement {
  const element = h('div', { class: className });
  appendMathText(element, text, { defer: true });
  return element;
}

function judgeLabel(judge: string): string {
  return judge === SELF_JUDGE_ID ? 'Self-PRM' : judge;
}

function firstErrorWords(firstError: number | undefined, steps: number): string {
  if (firstError === undefined) return 'no verdict';
  if (firstError === -1) return 'no error';
  return firstError < steps
    ? `first error: step ${firstError}`
    : `first error: step ${firstError} (past the end)`;
}

function scoreRow(judge: string, kind: 'self' | 'prm', sample: QueueSample, step: number): HTMLElement {
  const verdict = sample.verdicts[judge];
  const score = verdict?.scores[step] ?? null;
  const threshold = verdict?.threshold;
  const low = score !== null && threshold !== undefined && score < threshold;
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${Math.round((score ?? 0) * 100)}%`;
  const bar = h('span', { class: 'bar' }, fill);
  if (threshold !== undefined) {
    const tick = h('span', { class: 'tick', title: `τ = ${threshold}` });
    tick.style.left = `${threshold * 100}%`;
    bar.append(tick);
  }
  return h(
    'div',
    { class: `score ${kind}${low ? ' low' : ''}`, 'data-judge': judge },
    h('span', { class: 'score-label', title: judgeLabel(judge) }, judgeLabel(judge)),
    bar,
    h('span', { class: 'score-value' }, score === null ? '–' : score.toFixed(2)),
    h(
      'span',
      { class: 'score-facts' },
      threshold === undefined
        ? 'no verdict'
        : `τ ${threshold} · ${low ? 'below: wrong here' : 'not wrong here'}`,
      ' · ',
      h('strong', {}, firstErrorWords(verdict?.firstError, sample.steps.length)),
    ),
  );
}

function stepBlock(
  sample: QueueSample,
  index: number,
  role: 'before' | 'current' | 'after',
  item: QueueItem,
): HTMLElement {
  const marks: string[] = [];
  for (const judge of [SELF_JUDGE_ID, item.prm])
    if (sample.verdicts[judge]?.firstError === index) marks.push(`${judgeLabel(judge)}'s first error`);
  const text = h('div', { class: 'step-text' });
  appendMathText(text, sample.steps[index] ?? '', { defer: true });
  return h(
    'div',
    {
      class: `q-step ${role}`,
      'data-step': String(index),
      ...(role === 'current' ? { 'aria-current': 'step' } : {}),
    },
    h(
      'div',
      { class: 'q-step-head' },
      h('span', { class: 'q-step-no' }, `Step ${index}`),
      role === 'current' ? h('span', { class: 'q-here' }, 'label this step') : '',
      marks.length > 0 ? h('span', { class: 'q-marks' }, marks.join(' · ')) : '',
    ),
    text,
  );
}

function contextOf(sample: QueueSample, item: QueueItem): HTMLElement {
  const earlier: Child[] = [];
  const first = Math.max(0, item.step - CONTEXT_STEPS);
  if (first > 0) {
    const folded = h('details', { class: 'q-earlier' }, h('summary', {}, `${plural(first, 'earlier step')}`));
    for (let i = 0; i < first; i++) folded.append(stepBlock(sample, i, 'before', item));
    earlier.push(folded);
  }
  for (let i = first; i < item.step; i++) earlier.push(stepBlock(sample, i, 'before', item));
  return h(
    'div',
    { class: 'q-context', 'aria-label': 'Solution' },
    ...earlier,
    stepBlock(sample, item.step, 'current', item),
    item.step + 1 < sample.steps.length
      ? stepBlock(sample, item.step + 1, 'after', item)
      : h('div', { class: 'q-step after muted' }, 'This is the last step.'),
  );
}

function labelLine(state: QueueState, item: QueueItem): HTMLElement {
  const labels = state.labels.get(item.run)?.[item.sample];
  const rating = labels?.steps[item.step]?.rating;
  const first = labels?.firstError;
  const parts: string[] = [];
  if (rating !== undefined) parts.push(`rated ${rating === 1 ? '+1' : rating === -1 ? '−1' : '0'}`);
  if (first !== undefined)
    parts.push(first === -1 ? 'sample has no error' : `sample's first error: step ${first}`);
  const who = labels?.steps[item.step]?.who?.[item.prm];
  if (who) parts.push(`who was right: ${who}`);
  const unsaved = state.unsavedOf(item);
  const status =
    parts.length === 0
      ? ''
      : unsaved?.status === 'failed'
        ? h('span', { class: 'q-unsaved failed' }, ` — not saved: ${unsaved.message ?? ''}`)
        : unsaved
          ? h('span', { class: 'q-unsaved' }, ' — saving…')
          : h('span', { class: 'q-saved' }, ' — saved');
  // In words after a "!", not in colour alone: the exports leave such a sample out.
  const conflict = labelConflictSentence(labelConflicts(labels));
  return h(
    'div',
    {
      class: 'q-label',
      'data-labelled': parts.length > 0 ? 'yes' : 'no',
      'data-saved':
        parts.length === 0 ? 'none' : unsaved?.status === 'failed' ? 'failed' : unsaved ? 'saving' : 'saved',
      'data-conflict': conflict ? 'yes' : 'no',
    },
    h('span', { class: 'muted' }, `Your label (${state.annotator}): `),
    parts.length === 0 ? h('span', { class: 'muted' }, 'none yet') : parts.join(' · '),
    status,
    conflict ? h('div', { class: 'q-conflict' }, h('strong', {}, '! '), conflict) : '',
  );
}

/**
 * What was said on the item's step: others' notes (named) and the person's own, with whether it is
 * saved; while one is written, the field. Notes are text, never markup.
 */
function notesBlock(state: QueueState, item: QueueItem, dispatch: Dispatch): HTMLElement | '' {
  const { own, ownSave, others } = state.notesOn(item);
  const draft = state.noteDraftOf(item);
  if (own === undefined && !ownSave && others.length === 0 && !draft) return '';
  // Named when more than one person labels: whose a note is matters to whoever adjudicates.
  const named = state.severalAnnotators();
  const entries: HTMLElement[] = others.map((note) =>
    h(
      'li',
      { class: 'q-note', 'data-annotator': note.annotator },
      h('span', { class: 'q-note-who' }, `${note.annotator}${note.adjudicated ? ' (adjudication)' : ''}: `),
      note.text,
    ),
  );
  if (!draft && (own !== undefined || ownSave)) {
    const status =
      ownSave?.status === 'failed'
        ? h('span', { class: 'q-unsaved failed' }, ` — not saved: ${ownSave.message ?? ''}`)
        : ownSave
          ? h('span', { class: 'q-unsaved' }, ' — saving…')
          : '';
    entries.push(
      h(
        'li',
        {
          class: 'q-note own',
          'data-annotator': state.annotator,
          'data-saved': ownSave?.status === 'failed' ? 'failed' : ownSave ? 'saving' : 'saved',
        },
        h('span', { class: 'q-note-who' }, named ? `${state.annotator} (you): ` : 'Your note: '),
        own ?? h('span', { class: 'muted' }, 'removed'),
        status,
        h('span', { class: 'q-note-key muted' }, ' · m edits'),
      ),
    );
  }
  let field: HTMLElement | '' = '';
  if (draft) {
    const input = h('input', {
      type: 'text',
      class: 'q-note-field',
      'aria-label': `Your note on step ${item.step}`,
      placeholder: 'Note on this step; Enter saves, Esc cancels',
    }) as HTMLInputElement;
    input.value = draft.text;
    input.addEventListener('input', () => dispatch({ kind: 'noteInput', text: input.value }));
    // Its keys are text: none reaches the queue's shortcuts.
    noteFieldKeys(
      input,
      (text) => {
        dispatch({ kind: 'noteInput', text });
        dispatch({ kind: 'noteSave' });
      },
      () => dispatch({ kind: 'noteCancel' }),
    );
    field = h(
      'label',
      { class: 'q-note-editor' },
      h('span', { class: 'q-note-who' }, named ? `${state.annotator} (you): ` : 'Your note: '),
      input,
    );
  }
  return h(
    'div',
    { class: 'q-notes', 'aria-label': `Notes on step ${item.step}` },
    h('span', { class: 'q-notes-head muted' }, `Notes on step ${item.step}`),
    entries.length > 0 ? h('ul', {}, ...entries) : '',
    field,
  );
}

function keyBar(): HTMLElement {
  // Short words in a narrow side bar (QUEUE_CSS), where the long ones took three lines of the
  // pinned bar; ? lists them all.
  const key = (k: string, what: string, short = what) =>
    h(
      'span',
      { class: 'q-key' },
      h('kbd', {}, k),
      ' ',
      h('span', { class: 'q-key-long' }, what),
      h('span', { class: 'q-key-short' }, short),
    );
  return h(
    'div',
    { class: 'q-keys', 'aria-label': 'Keys' },
    key('1', '−1 wrong', '−1'),
    key('2', '0 neutral', '0'),
    key('3', '+1 good', '+1'),
    key('e', 'first error here', '1st error'),
    key('u', 'undo'),
    key('n', 'skip'),
    key('k', 'back'),
    key('?', 'more'),
  );
}

function itemView(
  state: QueueState,
  item: QueueItem,
  run: QueueRun,
  sample: QueueSample,
  dispatch: Dispatch,
): HTMLElement {
  const position = (state.index ?? 0) + 1;
  const facts = [
    `Item ${position} of ${state.items.length}`,
    run.id,
    ...(run.subset !== undefined ? [run.subset] : []),
    `sample ${sample.index}`,
    `step ${item.step} (steps 0–${sample.steps.length - 1})`,
  ];
  const self = sample.verdicts[SELF_JUDGE_ID];
  const prm = sample.verdicts[item.prm];
  const why = item.firstErrorMismatch
    ? 'The judges name different first errors'
    : 'One judge is above its τ here, the other below';
  return h(
    'section',
    { class: 'q-item', 'data-key': item.key, 'aria-label': 'Item to label' },
    h('div', { class: 'q-facts muted' }, facts.join(' · ')),
    h(
      'h2',
      { class: 'q-why' },
      why,
      self && prm ? h('span', { class: 'muted' }, ` (Self-PRM vs ${item.prm})`) : '',
    ),
    h(
      'div',
      { class: 'q-problem', 'aria-label': 'Problem' },
      h('h3', {}, 'Problem'),
      mathBlock(run.problem, 'q-problem-text'),
    ),
    contextOf(sample, item),
    h(
      'div',
      { class: 'scores q-scores', 'aria-label': `Scores at step ${item.step}` },
      h('span', { class: 'q-scores-head' }, `Scores at step ${item.step}`),
      scoreRow(SELF_JUDGE_ID, 'self', sample, item.step),
      scoreRow(item.prm, 'prm', sample, item.step),
    ),
    item.prms.length > 1
      ? h('div', { class: 'muted' }, `Also disagrees here: ${item.prms.slice(1).join(', ')}`)
      : '',
    h(
      'div',
      { class: 'q-answers' },
      h('span', {}, h('span', { class: 'muted' }, 'Reference: '), answerNode(run.reference)),
      h(
        'span',
        {},
        h('span', { class: 'muted' }, "This sample's answer: "),
        answerNode(sample.answer),
        ' ',
        correctness(sample.correct),
      ),
    ),
    labelLine(state, item),
    notesBlock(state, item, dispatch),
  );
}

function progressLine(state: QueueState, dispatch: Dispatch): HTMLElement {
  const total = state.items.length;
  const saved = state.savedLabelled();
  const bar = h('div', {
    class: 'q-bar',
    role: 'progressbar',
    'aria-valuemin': '0',
    'aria-valuemax': String(total),
    'aria-valuenow': String(saved),
  });
  const fill = h('span', {});
  fill.style.width = total === 0 ? '0' : `${(saved / total) * 100}%`;
  bar.append(fill);
  const pending = state.pendingCount();
  const failed = state.failures().length;
  const others = state.others.filter((other) => other.annotator !== state.annotator);
  // Named on screen as the panel's filters are (a chosen value alone, "aime", says nothing of what
  // it filters); the <label> is also the select's accessible name.
  const select = (
    label: 'PRM' | 'Subset',
    values: string[],
    value: string | undefined,
    pick: (v: string | undefined) => void,
  ) => {
    const id = `q-filter-${label.toLowerCase()}`;
    const element = h('select', {
      id,
      title: `Show only the items of one ${label === 'PRM' ? 'PRM' : 'subset'}`,
    }) as HTMLSelectElement;
    element.append(new Option(`all ${label === 'PRM' ? 'PRMs' : 'subsets'}`, ''));
    for (const option of values) element.append(new Option(option, option));
    element.value = value ?? '';
    element.addEventListener('change', () => {
      pick(element.value === '' ? undefined : element.value);
      element.blur();
    });
    return h('span', { class: 'q-filter' }, h('label', { for: id, class: 'muted' }, label), ' ', element);
  };
  const prmSelect =
    state.choices.prms.length > 1
      ? select('PRM', state.choices.prms, state.position.prm, (prm) =>
          dispatch({
            kind: 'filter',
            ...(prm !== undefined ? { prm } : {}),
            ...(state.position.subset !== undefined ? { subset: state.position.subset } : {}),
          }),
        )
      : '';
  const subsetSelect =
    state.choices.subsets.length > 1
      ? select('Subset', state.choices.subsets, state.position.subset, (subset) =>
          dispatch({
            kind: 'filter',
            ...(state.position.prm !== undefined ? { prm: state.position.prm } : {}),
            ...(subset !== undefined ? { subset } : {}),
          }),
        )
      : '';
  // Only with several problems: one problem's items are together either way.
  const orderSelect = state.reorderable() ? queueOrderSelect(state, dispatch) : '';
  const only = h('input', { type: 'checkbox', id: 'q-unlabelled' }) as HTMLInputElement;
  only.checked = state.position.unlabelledOnly;
  only.addEventListener('change', () => {
    dispatch({ kind: 'unlabelledOnly', via: 'click' });
    only.blur();
  });
  return h(
    'header',
    { class: 'q-top' },
    h(
      'div',
      { class: 'q-progress', role: 'status' },
      h('strong', { class: 'q-count' }, `${saved} / ${total} labelled by ${state.annotator}`),
      pending > 0 ? h('span', { class: 'muted' }, ` · ${pending} saving…`) : '',
      failed > 0 ? h('span', { class: 'error-text' }, ` · ${failed} not saved`) : '',
    ),
    state.lastAction ? h('div', { class: 'q-last muted' }, state.lastAction) : '',
    bar,
    others.length > 0
      ? h(
          'div',
          { class: 'q-others muted' },
          `Others: ${others.map((o) => `${o.annotator} ${o.labelled} / ${total}`).join(' · ')}`,
        )
      : '',
    h(
      'div',
      { class: 'q-filters' },
      h('span', { class: 'q-dataset' }, h('span', { class: 'muted' }, 'Dataset: '), state.dataset),
      prmSelect,
      subsetSelect,
      orderSelect,
      h('label', { class: 'q-only', for: 'q-unlabelled' }, only, ' unlabelled only (f)'),
    ),
  );
}

const ORDER_NAMES: Record<QueueOrder, string> = {
  strength: 'strongest first',
  problem: 'problem by problem',
};

/** The queue's order: strongest disagreement first over all problems, or each problem's items together. */
function queueOrderSelect(state: QueueState, dispatch: Dispatch): HTMLElement {
  const element = h('select', {
    id: 'q-order',
    title:
      'Strongest first: every item by how strongly the judges disagree. Problem by problem: each problem’s items together (problems in the order of their strongest item), so a problem is read once.',
  }) as HTMLSelectElement;
  for (const order of QUEUE_ORDERS) element.append(new Option(ORDER_NAMES[order], order));
  element.value = state.position.order ?? 'strength';
  element.addEventListener('change', () => {
    dispatch({ kind: 'order', order: element.value === 'problem' ? 'problem' : 'strength' });
    element.blur();
  });
  // A narrow side bar has no room for the select (g still switches): it names the order when it is not the default.
  return h(
    'span',
    { class: 'q-filter q-order' },
    h(
      'span',
      { class: 'q-order-choice' },
      h('label', { for: 'q-order', class: 'muted' }, 'Order'),
      ' ',
      element,
    ),
    state.position.order === 'problem'
      ? h('span', { class: 'q-order-tag muted' }, 'problem by problem (g)')
      : '',
  );
}

function failureNotice(state: QueueState, dispatch: Dispatch): HTMLElement | '' {
  const failures = state.failures();
  if (failures.length === 0) return '';
  const retry = h('button', { type: 'button', class: 'q-retry' }, 'Retry');
  retry.addEventListener('click', () => dispatch({ kind: 'retry' }));
  return h(
    'div',
    { class: 'q-alert', role: 'alert' },
    h('strong', {}, `${plural(failures.length, 'label')} not saved`),
    h('ul', {}, ...failures.map((failure) => h('li', {}, `${failure.text}: ${failure.message ?? ''}`))),
    h('span', { class: 'muted' }, 'Press the same key again on the item, or '),
    retry,
  );
}

function spansNode(spans: InlineSpan[]): Child[] {
  return spans.map((span) =>
    span.code
      ? h('code', {}, span.text)
      : span.strong
        ? h('strong', {}, span.text)
        : span.em
          ? h('em', {}, span.text)
          : span.text,
  );
}

export function rubricNode(text: string): HTMLElement {
  const body = h('div', { class: 'q-rubric-body' });
  for (const block of parseRubric(text)) {
    if (block.kind === 'heading')
      body.append(h(`h${Math.min(6, block.level + 2)}`, {}, ...spansNode(block.spans)));
    else if (block.kind === 'paragraph') body.append(h('p', {}, ...spansNode(block.spans)));
    else if (block.kind === 'code') body.append(h('pre', {}, block.text));
    else
      body.append(
        h(block.ordered ? 'ol' : 'ul', {}, ...block.items.map((spans) => h('li', {}, ...spansNode(spans)))),
      );
  }
  return body;
}

function rubricPane(state: QueueState, dispatch: Dispatch): HTMLElement {
  const details = h('details', { class: 'q-rubric', 'aria-label': 'Rubric' }) as HTMLDetailsElement;
  // Open beside the queue where there is room; folded under it in a narrow side bar until asked.
  state.rubricOpen ??= window.matchMedia('(min-width: 760px)').matches;
  details.open = state.rubricOpen;
  const summary = h('summary', {}, 'Rubric ', h('span', { class: 'muted' }, `(${state.rubric.source}) · r`));
  summary.addEventListener('click', (event) => {
    event.preventDefault();
    dispatch({ kind: 'rubric', via: 'click' });
  });
  details.append(summary, rubricNode(state.rubric.text));
  return details;
}

function helpNode(): HTMLElement {
  return h(
    'div',
    { class: 'q-help', role: 'dialog', 'aria-label': 'Keyboard shortcuts' },
    h('h3', {}, 'Keys'),
    h(
      'table',
      {},
      ...QUEUE_KEY_HELP.map(([keys, what]) =>
        h('tr', {}, h('td', {}, h('kbd', {}, keys)), h('td', {}, what)),
      ),
    ),
    h('p', { class: 'muted' }, 'Esc closes this.'),
  );
}

/**
 * Draws the page. `byHost`: drawn for a host message, not for the person's key or click here; a
 * note field drawn again then keeps the focus it had and takes none it did not have.
 */
export function renderQueue(root: HTMLElement, state: QueueState, dispatch: Dispatch, byHost = false): void {
  // The page is drawn anew (a save answered, another window's label): the note field's caret stays.
  const typing = root.querySelector<HTMLInputElement>('.q-note-field');
  const caret =
    typing && document.activeElement === typing
      ? { start: typing.selectionStart, end: typing.selectionEnd }
      : undefined;
  if (!state.loaded) {
    replace(root, h('p', { class: 'muted' }, 'Reading the dataset…'));
    return;
  }
  if (state.emptyMessage !== null) {
    replace(root, h('p', { class: 'q-empty' }, state.emptyMessage));
    return;
  }
  const item = state.current();
  const run = state.currentRun();
  const sample = run?.samples.find((candidate) => candidate.index === item?.sample);
  let main: HTMLElement;
  if (state.items.length === 0)
    main = h(
      'p',
      { class: 'q-done' },
      'No disagreements to label: the judges agree on every step of these runs (with these filters).',
    );
  else if (item && (!run || !sample)) main = h('p', { class: 'q-loading muted' }, `Reading run ${item.run}…`);
  else if (!item || !run || !sample)
    main = h(
      'div',
      { class: 'q-done' },
      h('h2', {}, state.position.unlabelledOnly ? 'Every item is labelled.' : 'End of the queue.'),
      h('p', { class: 'muted' }, 'k goes back to the last item; f shows labelled items too.'),
    );
  else main = itemView(state, item, run, sample, dispatch);
  replace(
    root,
    h(
      'div',
      { class: 'q-page' },
      h(
        'div',
        { class: 'q-main' },
        progressLine(state, dispatch),
        failureNotice(state, dispatch),
        main,
        keyBar(),
      ),
      rubricPane(state, dispatch),
    ),
    state.helpOpen ? helpNode() : '',
  );
  const field = root.querySelector<HTMLInputElement>('.q-note-field');
  focusLater = undefined;
  // A host's redraw (another window's label, a save answered) gives the keys back to a field that
  // had them, and takes none from elsewhere in the page (the person tabbed to a filter); the
  // person's own action here (m, a click on a filter while writing) puts them in the note.
  if (field && (!byHost || caret || !typing)) {
    const end = field.value.length;
    const range = { start: caret?.start ?? end, end: caret?.end ?? end };
    // A page loaded again while the person is in another tab or editor takes no focus from it: the
    // field gets the keys when the page gets them back (the window's focus listener below).
    if (document.hasFocus()) focusField(field, range);
    else {
      field.setSelectionRange(range.start, range.end);
      focusLater = { field, range };
    }
    // Just opened: brought into sight; drawn again while typing, the page stays where it is.
    if (!caret) field.scrollIntoView({ block: 'nearest' });
  }
  padScrollForBars(root);
  bars.disconnect();
  for (const bar of root.querySelectorAll('.q-top, .q-keys')) bars.observe(bar);
  // A new item is placed once (placeArrival); the same item drawn again (a save answered, the
  // help) stays where the person scrolled.
  const itemNode = root.querySelector<HTMLElement>('.q-item');
  const shown = itemNode?.getAttribute('data-key') ?? undefined;
  itemSize.disconnect();
  if (itemNode && shown !== undefined && shown !== scrolledTo) {
    placeArrival(root);
    // Math typeset after the first paint changes the heights: placed again while untouched.
    itemSize.observe(itemNode);
  } else arrivedAt = undefined;
  scrolledTo = shown;
}

type Caret = { start: number | null; end: number | null };

/** Keys to the field with the caret where it was (at the end of a note brought back; never all of it selected). */
function focusField(field: HTMLInputElement, range: Caret): void {
  field.focus({ preventScroll: true });
  field.setSelectionRange(range.start, range.end);
}

/** The note field drawn while the page had no focus: it takes the keys when the page gets them. */
let focusLater: { field: HTMLInputElement; range: Caret } | undefined;

window.addEventListener('focus', () => {
  const later = focusLater;
  focusLater = undefined;
  // Nothing else in the page chosen meanwhile (a click in the field places its own caret).
  const active = document.activeElement;
  if (later?.field.isConnected && (active === null || active === document.body))
    focusField(later.field, later.range);
});

/** The item last brought into sight. */
let scrolledTo: string | undefined;
/** Where placeArrival left the page, while the person has not scrolled since. */
let arrivedAt: number | undefined;

const itemSize = new ResizeObserver(() => {
  const root = document.getElementById('queue-app');
  if (root && arrivedAt !== undefined && Math.abs(window.scrollY - arrivedAt) < 1) placeArrival(root);
});

/**
 * A new item's first view, in this order of need: the whole step in question (its top, if it is
 * taller than the band between the pinned bars); the problem from its first line (new users lost
 * the problem above the header when the page scrolled to the label); both judges' scores; the
 * label. Each is kept when it fits with those before it, and of the scrolls that show them all the
 * least is taken, so as much of the problem as can be is in sight. When the step and the problem's
 * start do not fit together the step wins and the page is scrolled only as far as the step's end,
 * which leaves the problem's start as near above as it can be (one Page Up when the two are within
 * two screens). Positions rather than scrollIntoView: scrolling to one box, then another, loses the
 * first box's top edge as the earlier fault did.
 */
function placeArrival(root: HTMLElement): void {
  const bandTop = pinnedHeight(root, '.q-top');
  const bandBottom = window.innerHeight - pinnedHeight(root, '.q-keys');
  const box = (selector: string) => {
    const rect = root.querySelector(selector)?.getBoundingClientRect();
    return rect && { top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY };
  };
  let low = 0;
  let high = Math.max(0, document.documentElement.scrollHeight - window.innerHeight);
  /** Narrows the scroll range to [from, to] when that leaves some; says whether it did. */
  const keep = (from: number, to: number) => {
    const nextLow = Math.max(low, from);
    const nextHigh = Math.min(high, to);
    if (nextLow > nextHigh) return false;
    low = nextLow;
    high = nextHigh;
    return true;
  };
  const whole = (selector: string) => {
    const found = box(selector);
    return !!found && keep(found.bottom - bandBottom, found.top - bandTop);
  };
  const step = box('.q-step.current');
  if (step && !whole('.q-step.current')) keep(step.top - bandTop, step.top - bandTop);
  const problem = box('.q-problem-text');
  // Kept out, the problem's start is to be as near above as it can be: nothing scrolls further.
  if (!problem || keep(-Infinity, problem.top - bandTop)) {
    whole('.q-scores');
    whole('.q-label');
  }
  window.scrollTo(0, low);
  arrivedAt = window.scrollY;
}

/**
 * The pinned header and key bar cover the page's top and bottom; scrolling to the item (ours, Tab,
 * find, a screen reader) must stop short of them, and their heights change with the width as they
 * wrap. The item's scroll margins (QUEUE_CSS) read these; not the page's scroll padding, which
 * would scroll to the top whenever a filter in the header took the focus.
 */
function padScrollForBars(root: HTMLElement): void {
  const page = document.documentElement;
  page.style.setProperty('--q-top-height', `${pinnedHeight(root, '.q-top')}px`);
  page.style.setProperty('--q-keys-height', `${pinnedHeight(root, '.q-keys')}px`);
}

/**
 * Page Up / Page Down by the band between the pinned bars, less two lines kept in sight: the
 * browser's own page is most of the window, so it slid text past under the header unread (the
 * problem's start, one page above the step in question in a short editor, stayed hidden).
 */
export function scrollPage(root: HTMLElement, direction: 1 | -1): void {
  const band = window.innerHeight - pinnedHeight(root, '.q-top') - pinnedHeight(root, '.q-keys');
  window.scrollBy({ top: direction * Math.max(40, band - 40), behavior: 'instant' });
}

/** The height a bar covers of the page: none in a very narrow bar, where it scrolls away (QUEUE_CSS). */
function pinnedHeight(root: HTMLElement, selector: string): number {
  const bar = root.querySelector<HTMLElement>(selector);
  return bar && getComputedStyle(bar).position === 'sticky' ? bar.offsetHeight : 0;
}

const bars = new ResizeObserver(() => {
  const root = document.getElementById('queue-app');
  if (root) padScrollForBars(root);
});
