/**
 * Every distinct answer with its votes, the judges' mean solution scores and the rerankers that
 * pick it; below, each reranker's pick and whether it is right. Built with `h()`. Answers never
 * break inside (see answerNode); the "Picked by" column gives way in a narrow side bar, where the
 * line of picks below says the same.
 */
import { SELF_JUDGE_ID } from '../../src/core/rerank.js';
import { badge } from '../components.js';
import { answerNode, correctness, h, plural, replace } from '../dom.js';
import { answerRows, formatScore, METHOD_NAMES } from '../model.js';
import type { PanelState } from '../state.js';

/** The PRM's column: wide enough for its full name where the panel is wide (see panel.css). */
function prmCol(name: string): HTMLElement {
  const col = h('col', { class: 'c-prm' });
  col.style.setProperty('--prm-name', `${name.length + 2}ch`);
  return col;
}

export function renderAnswers(element: HTMLElement, state: PanelState): void {
  const run = state.run;
  if (!run) return;
  const rows = answerRows(run, state.view.prm);
  const prmLabel = state.view.prm ?? 'PRM';
  const table = h(
    'table',
    { class: 'answer-table' },
    h(
      'colgroup',
      {},
      h('col', { class: 'c-answer' }),
      h('col', { class: 'c-votes' }),
      h('col', { class: 'c-self' }),
      prmCol(prmLabel),
      h('col', { class: 'c-picks' }),
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Answer'),
        h('th', { class: 'num' }, 'Votes'),
        h('th', { class: 'num', title: 'mean Self-PRM solution score' }, 'Self'),
        h(
          'th',
          { class: 'num', title: `mean ${prmLabel} solution score` },
          h('span', { class: 'name-full' }, prmLabel),
          h('span', { class: 'name-short' }, 'PRM'),
        ),
        h('th', { class: 'picks' }, 'Picked by'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          { class: row.correct === true ? 'right' : row.correct === false ? 'wrong' : '' },
          h('td', { class: 'answer' }, correctness(row.correct), ' ', answerNode(row.answer)),
          h('td', { class: 'num' }, String(row.members.length)),
          h('td', { class: 'num' }, formatScore(row.meanSelf)),
          h('td', { class: 'num' }, formatScore(row.meanPrm)),
          h(
            'td',
            { class: 'picks' },
            ...row.picks.map((pick) =>
              badge(METHOD_NAMES[pick.method] + (pick.fallback ? ' (fallback)' : ''), pick.rule),
            ),
          ),
        ),
      ),
    ),
  );
  const failed = run.samples.filter((sample) => sample.error).length;
  const noAnswer = run.samples.filter((sample) => !sample.error && sample.answer === null).length;
  replace(
    element,
    h(
      'div',
      { class: 'section-head' },
      h('h3', {}, 'Answers'),
      h(
        'span',
        { class: 'muted' },
        `${plural(run.samples.length, 'sample')}${failed ? ` · ${failed} failed` : ''}${noAnswer ? ` · ${noAnswer} without answer` : ''}`,
      ),
    ),
    rows.length > 0 ? table : h('p', { class: 'muted' }, 'No answers yet.'),
    h(
      'div',
      { class: 'rerank-line' },
      ...run.rerank.map((pick) =>
        h(
          'span',
          {
            class: `pick ${pick.correct === true ? 'right' : pick.correct === false ? 'wrong' : ''}`,
            title: pick.rule,
          },
          `${METHOD_NAMES[pick.method]}${pick.judge && pick.judge !== SELF_JUDGE_ID ? ` (${pick.judge})` : ''}: `,
          // The verdict stays with the answer: never alone on a line.
          h('span', { class: 'pick-answer' }, answerNode(pick.answer), ' ', correctness(pick.correct)),
          // A tie is decided by the method's rule (its title): said, so a 1–1 vote is not read as a majority.
          pick.tie ? h('span', { class: 'pick-tie muted', title: pick.rule }, ' (tie)') : '',
        ),
      ),
    ),
  );
}
