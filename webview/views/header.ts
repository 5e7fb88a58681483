/**
 * The top of the panel: the problem, its reference answer or the dataset's own labels, the policy
 * and the judges (full names), and live progress; or, with no run, what to do. Built with `h()`.
 */
import type { WebviewMessage } from '../../src/protocol.js';
import { badge, button, icon, progressBar } from '../components.js';
import { answerNode, type Child, h, replace } from '../dom.js';
import { appendMathText } from '../math.js';
import { judgeName } from '../model.js';
import type { PanelState } from '../state.js';

export function renderHeader(element: HTMLElement, state: PanelState): void {
  const run = state.run;
  if (!run) return;
  const { problem } = run;
  const problemText = h('div', { class: 'problem-text' });
  appendMathText(problemText, problem.text);
  const judges = run.judges.map((judge) => `${judgeName(judge.id)} (${judge.model})`).join(' · ');
  const progress = state.progress;
  const reference: Child[] = [];
  if (problem.reference !== undefined)
    reference.push(
      h('span', { class: 'reference' }, 'Reference answer: ', referenceAnswer(problem.reference)),
    );
  // A dataset row (ProcessBench, PRM800K) carries its own verdicts on its solution: shown as such.
  if (problem.finalAnswerCorrect !== undefined)
    reference.push(
      h(
        'span',
        { class: 'gold-answer' },
        icon(problem.finalAnswerCorrect ? 'pass' : 'error'),
        ` Dataset: final answer ${problem.finalAnswerCorrect ? 'correct' : 'incorrect'}`,
      ),
    );
  if (problem.humanFirstError !== undefined && problem.steps)
    reference.push(
      h(
        'span',
        { class: 'gold-first-error' },
        icon('bookmark'),
        problem.humanFirstError === -1
          ? ' Dataset: no error in its solution'
          : ` Dataset: first error at step ${problem.humanFirstError}`,
      ),
    );
  if (reference.length === 0) reference.push(h('span', { class: 'muted' }, 'No reference answer'));
  replace(
    element,
    h(
      'div',
      { class: 'problem-title' },
      h('h2', {}, problem.id),
      h(
        'span',
        { class: 'muted' },
        `${problem.source.file}${problem.source.row ? ` · row ${problem.source.row}` : ''}`,
      ),
      run.status !== 'complete' ? badge(run.status) : null,
    ),
    problemText,
    h(
      'div',
      { class: 'meta' },
      ...reference,
      h('span', { class: 'muted' }, `Policy ${run.config.policy.model} · judges: ${judges || 'none'}`),
    ),
    progress
      ? h(
          'div',
          { class: 'progress' },
          progressBar(
            progress.sampled + progress.judged,
            Math.max(1, progress.sampleTotal + progress.judgeTotal),
          ),
          h(
            'span',
            { class: 'muted' },
            `sampled ${progress.sampled}/${progress.sampleTotal} · judged ${progress.judged}/${progress.judgeTotal}`,
          ),
        )
      : null,
  );
}

export function renderEmpty(
  element: HTMLElement,
  message: string,
  readOnly: boolean,
  post: (message: WebviewMessage) => void,
): void {
  replace(
    element,
    h('h2', {}, 'StepLens'),
    h('p', {}, message),
    readOnly
      ? null
      : h(
          'div',
          { class: 'actions' },
          button('Analyze Active File', () => post({ type: 'command/run', command: 'analyzeActiveFile' })),
          button('Open Run…', () => post({ type: 'command/run', command: 'openRun' }), { secondary: true }),
        ),
  );
}

/** The reference answer, typeset as the samples' answers are (a bare \frac{7}{3} too). */
function referenceAnswer(reference: string): HTMLElement {
  const node = answerNode(reference);
  node.classList.add('answer');
  return node;
}
