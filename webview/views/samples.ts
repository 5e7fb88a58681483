/**
 * The samples table: one row per sample — its answer, then every judge the same way (solution
 * score and the step of its first error: Self-PRM, each PRM, and the dataset's own label where the
 * run scores a row's own steps), the steps the judges disagree on, and the person's progress.
 * Rows live in a virtual list, so every row is its own grid: the columns have fixed widths,
 * computed here from the run (the longest step number) and set once on the list as CSS variables
 * — narrow (the compared PRM only) and wide (every PRM, full judge names). Built with `h()`.
 */

import { describeLabelConflicts, labelConflicts } from '../../src/core/labelConflicts.js';
import { SELF_JUDGE_ID } from '../../src/core/rerank.js';
import type { Run } from '../../src/core/schemas.js';
import { describeFilters, emptyReason, hasFilters } from '../browse.js';
import { badge, select } from '../components.js';
import { answerNode, correctness, h, plural, replace } from '../dom.js';
import { firstErrorText, hasSelf, judgeCell, judgeName, prmJudges, tableJudges } from '../model.js';
import type { PanelState } from '../state.js';
import type { Dispatch } from './labels.js';

/** Width of a judge column in ch: "0.25 @123", or the judge's name when wider (wide panels only). */
function judgeWidth(run: Run, judge: string | undefined, layout: 'wide' | 'narrow' | 'tight'): number {
  // "0.25" alone where the bar is tightest (the step of the first error stays in the cell's title);
  // a failed judge's "failed" fits too (the layout test has one).
  if (layout === 'tight') return 5;
  const digits = String(Math.max(1, ...run.samples.map((sample) => sample.steps.length - 1))).length;
  // "0.25" and "@12" (or "ok") with a little room between.
  const numbers = 4.5 + Math.max(2, 1 + digits);
  return layout === 'wide' && judge !== undefined ? Math.max(numbers, judgeName(judge).length + 1) : numbers;
}

/**
 * The grid columns of every row as CSS values: wide (an editor panel), narrow (a side bar), tight
 * (a side bar under 360 px, where the answer would otherwise be cut to "…") and tightest (under
 * 280 px: without the ≠ column, the sample's number marked instead).
 */
function columns(state: PanelState): { narrow: string; wide: string; tight: string; tightest: string } {
  const run = state.run!;
  const digits = String(Math.max(1, ...run.samples.map((sample) => sample.steps.length))).length;
  // The ≠ badge: its count's digits and the badge's own padding.
  const mostDisagreements = Math.max(0, ...state.summaries.map((summary) => summary.disagreement.count));
  const disagreeWidth = `calc(${String(mostDisagreements).length}ch + 10px)`;
  // "12/300 ✓" where there is room; "12 ✓" in a narrow bar (the steps' count is in the sample's heading).
  // At least as wide as its heading, "rated" (a short run's "3 ✓" would cut it to "r…").
  const rated = { wide: `${Math.max(2 * digits + 3, 5)}ch`, narrow: `${Math.max(digits + 2, 5)}ch` };
  const gold = state.gold !== undefined;
  const narrowJudges = [
    ...(hasSelf(run) ? [SELF_JUDGE_ID] : []),
    ...(state.view.prm ? [state.view.prm] : []),
  ];
  const make = (
    judges: string[],
    layout: 'wide' | 'narrow' | 'tight',
    answer: string,
    ratedWidth: string,
    disagreements = true,
  ) =>
    [
      `${String(Math.max(0, run.samples.length - 1)).length + 1}ch`,
      answer,
      ...judges.map((judge) => `${judgeWidth(run, judge, layout)}ch`),
      ...(gold ? [`${Math.max(digits + 2, 4)}ch`] : []),
      ...(disagreements ? [disagreeWidth] : []),
      ratedWidth,
    ].join(' ');
  return {
    narrow: make(narrowJudges, 'narrow', 'minmax(2.5em, 1fr)', rated.narrow),
    wide: make(tableJudges(run), 'wide', 'minmax(4em, 16em)', rated.wide),
    tight: make(narrowJudges, 'tight', 'minmax(2.5em, 1fr)', rated.narrow),
    tightest: make(narrowJudges, 'tight', 'minmax(2.5em, 1fr)', rated.narrow, false),
  };
}

/** A judge's column heading: the full name where there is room, "self" / "PRM" in a narrow bar. */
function judgeHeading(judge: string): [HTMLElement, HTMLElement] {
  return judge === SELF_JUDGE_ID
    ? [h('span', { class: 'name-full' }, 'self'), h('span', { class: 'name-short' }, 'self')]
    : [h('span', { class: 'name-full' }, judge), h('span', { class: 'name-short' }, 'PRM')];
}

/**
 * The samples' heading (`element`: what the judges disagree on, how many samples the filters
 * show, the PRM compared) and the columns' heads (`columnsHead`, with why the list is empty when
 * it is); the column widths go on `gridHolders`, which hold the rows.
 */
export function renderSamplesHead(
  element: HTMLElement,
  columnsHead: HTMLElement,
  gridHolders: HTMLElement[],
  state: PanelState,
  dispatch: Dispatch,
): void {
  const run = state.run;
  if (!run) return;
  const prms = prmJudges(run);
  const total = state.summaries.reduce((sum, s) => sum + s.disagreement.count, 0);
  const samplesWith = state.summaries.filter((s) => s.disagreement.count > 0).length;
  const { narrow, wide, tight, tightest } = columns(state);
  for (const target of gridHolders) {
    target.style.setProperty('--sample-columns', narrow);
    target.style.setProperty('--sample-columns-wide', wide);
    target.style.setProperty('--sample-columns-tight', tight);
    target.style.setProperty('--sample-columns-tightest', tightest);
  }
  const filters = state.filters();
  const filtered = hasFilters(filters);
  const judgeHeads = tableJudges(run).map((judge) =>
    h(
      'span',
      {
        class: `num judge-col${judge !== SELF_JUDGE_ID && judge !== state.view.prm ? ' other-prm' : ''}`,
        title: `${judgeName(judge)}: solution score and the step of its first error (@n; ok = none found)`,
      },
      ...judgeHeading(judge),
    ),
  );
  replace(
    element,
    h('h3', {}, 'Samples'),
    filtered
      ? h(
          'span',
          {
            class: `shown-count${state.shown.length === 0 ? ' none-shown' : ''}`,
            title: `filtered: ${describeFilters(filters).join(' · ')}`,
          },
          `${state.shown.length} of ${state.summaries.length} shown`,
        )
      : null,
    h(
      'span',
      { class: 'muted' },
      state.view.prm === undefined || !hasSelf(run)
        ? 'one judge only: nothing to compare'
        : `Self-PRM and ${state.view.prm} disagree on ${total} step${total === 1 ? '' : 's'} in ${samplesWith} of ${state.summaries.length} samples`,
    ),
    prms.length > 1
      ? select(
          prms.map((id) => ({ value: id, label: `compare with ${id}` })),
          state.view.prm ?? prms[0]!,
          (prm) => dispatch({ kind: 'setPrm', prm }),
        )
      : null,
  );
  replace(
    columnsHead,
    h(
      'div',
      { class: 'sample-row sample-columns', 'aria-hidden': 'true' },
      h('span', { title: 'sample' }, '#'),
      h('span', { title: 'final answer, checked against the reference' }, 'answer'),
      ...judgeHeads,
      state.gold !== undefined
        ? h(
            'span',
            { class: 'num gold-col', title: "the dataset's own (gold) first-error label: @n, ok = no error" },
            'gold',
          )
        : null,
      h('span', { class: 'num disagree-count', title: 'steps where the judges disagree' }, '≠'),
      h(
        'span',
        { class: 'num', title: 'steps rated by you; ✓ = first error set, ! = it contradicts the ratings' },
        'rated',
      ),
    ),
    filtered && state.shown.length === 0
      ? h('p', { class: 'empty-filter', role: 'status' }, emptyReason(run, filters))
      : null,
  );
}

export function renderSampleRow(state: PanelState, dispatch: Dispatch, position: number): HTMLElement {
  const run = state.run!;
  const summary = state.shown[position]!;
  const { sample } = summary;
  const selected = sample.index === state.view.sample;
  const humanFirst = state.labels[sample.index]?.firstError;
  const conflicts = labelConflicts(state.labels[sample.index]);
  const judgeCells = tableJudges(run).map((judge) => {
    const cell = judgeCell(run, sample, judge);
    return h(
      'span',
      {
        class: `num judge-col${cell.failed ? ' error-text' : ''}${judge !== SELF_JUDGE_ID && judge !== state.view.prm ? ' other-prm' : ''}`,
        title: cell.title,
        'data-judge': judge,
      },
      h('span', { class: 'cell-score' }, cell.score),
      cell.firstError ? h('span', { class: 'cell-first' }, cell.firstError) : null,
    );
  });
  const gold = state.gold === undefined ? null : run.problem.humanFirstError;
  const row = h(
    'div',
    {
      class: `sample-row${selected ? ' selected' : ''}${summary.disagreement.count > 0 ? ' has-disagreement' : ''}${sample.error ? ' failed' : ''}${state.search.samples.has(sample.index) ? ' has-match' : ''}`,
      role: 'option',
      'aria-selected': selected ? 'true' : 'false',
      title: sample.error ?? '',
      'data-sample': String(sample.index),
    },
    h(
      'span',
      {
        class: 'idx num',
        title:
          summary.disagreement.count > 0
            ? `sample ${sample.index}: ${plural(summary.disagreement.count, 'step')} where the judges disagree`
            : `sample ${sample.index}`,
      },
      String(sample.index),
    ),
    sample.error
      ? h('span', { class: 'answer' }, h('span', { class: 'error-text' }, 'failed'))
      : h(
          'span',
          { class: 'answer' },
          correctness(sample.correct),
          answerNode(sample.answer, { asText: true }),
        ),
    ...judgeCells,
    gold === null
      ? null
      : h(
          'span',
          { class: 'num gold-col', title: "the dataset's own first-error label" },
          state.gold === sample.index ? firstErrorText(gold) : '',
        ),
    h(
      'span',
      { class: 'num disagree-count' },
      summary.disagreement.count > 0
        ? badge(String(summary.disagreement.count), 'steps where the judges disagree')
        : '0',
    ),
    h(
      'span',
      {
        class: `num rated${conflicts.length > 0 ? ' label-conflict-mark' : ''}`,
        title: `${summary.rated} of ${sample.steps.length} steps rated${conflicts.length > 0 ? `; labels contradict: ${describeLabelConflicts(conflicts)} (exports leave this sample out)` : ''}`,
      },
      String(summary.rated),
      h('span', { class: 'rated-of' }, `/${sample.steps.length}`),
      // The first error set; "!" where it and the ratings contradict each other.
      humanFirst === undefined ? '' : conflicts.length > 0 ? ' !' : ' ✓',
    ),
  );
  row.addEventListener('click', () => dispatch({ kind: 'selectSample', sample: sample.index }));
  return row;
}

/** The search changed: the sample rows on screen say again, in place, which hold matches. */
export function remarkSampleRows(list: HTMLElement, state: PanelState): void {
  for (const row of list.querySelectorAll<HTMLElement>('.sample-row[data-sample]'))
    row.classList.toggle('has-match', state.search.samples.has(Number(row.dataset.sample)));
}
