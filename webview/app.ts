/**
 * The StepLens panel: problem, answers and rerankers, samples, and the chosen sample's steps with
 * the self and PRM scores side by side. All untrusted text goes in as text nodes (math via KaTeX
 * with trust off); no string from a run is ever parsed as HTML.
 */
import {
  type AuditChange,
  type AuditLabels,
  applyAuditEvent,
  inverseOf,
  replayAudit,
  stampEvent,
} from '../src/core/audit.js';
import { SELF_JUDGE_ID } from '../src/core/rerank.js';
import type { AuditEvent, Judgement, Run, Sample } from '../src/core/schemas.js';
import type { HostMessage, SkippedLines } from '../src/protocol.js';
import {
  badge,
  button,
  checkbox,
  collapsible,
  focusWhenReady,
  icon,
  progressBar,
  select,
  textField,
} from './components.js';
import type { HostSeam } from './host.js';
import { KEY_HELP, KEYMAP, type KeyAction } from './keys.js';
import { appendMathText } from './math.js';
import {
  answerRows,
  formatScore,
  hasSelf,
  judgeFirstError,
  METHOD_NAMES,
  prmJudges,
  type SampleSummary,
  summarize,
  thresholdLegend,
  thresholdOf,
  verdictText,
} from './model.js';
import { describeLabel, labelKeys, SaveTracker } from './saves.js';
import { VirtualList } from './virtualList.js';

type Child = Node | string | null | undefined | false;

/** Builds an element; strings become text nodes, never markup. */
function h(
  tag: string,
  props: { class?: string; title?: string; [attr: string]: string | undefined } = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'class') element.className = value;
    else element.setAttribute(key, value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

interface ViewState {
  sample: number;
  step: number;
  onlyDisagreements: boolean;
  prm?: string;
}

export class StepLensApp {
  private run: Run | null = null;
  private labels: AuditLabels = {};
  private readOnly = true;
  private view: ViewState = { sample: 0, step: 0, onlyDisagreements: false };
  private summaries: SampleSummary[] = [];
  private visibleSteps: number[] = [];
  private undoStack: AuditChange[][] = [];
  private progress: { sampled: number; sampleTotal: number; judged: number; judgeTotal: number } | null =
    null;
  /** Labels applied here whose save the host has not confirmed. */
  private readonly saves = new SaveTracker(pageId());
  /** Unreadable lines of the shown run's audit log, and whether the person dismissed that notice. */
  private skipped: SkippedLines | undefined;
  private skippedDismissed = '';
  /** Bumped on every full render, so a deferred half of an outdated render does nothing. */
  private renderGeneration = 0;

  private readonly header = h('header', { class: 'problem' });
  private readonly answers = h('section', { class: 'answers', 'aria-label': 'Answers and rerankers' });
  private readonly samplesHead = h('div', { class: 'section-head' });
  private readonly sampleList: VirtualList;
  private readonly stepsHead = h('div', { class: 'section-head steps-head' });
  private readonly trace = h('div', { class: 'trace' });
  private readonly stepList: VirtualList;
  private readonly help = h('div', {
    class: 'help',
    role: 'dialog',
    'aria-label': 'Keyboard shortcuts',
    hidden: '',
  });
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  /** Labels the host could not save: stays in view (sticky) while the person works further down. */
  private readonly saveNotice = h('div', { class: 'save-notice', role: 'alert', hidden: '' });
  /** What the notice says now: it is redrawn only when that changes, so it is announced once. */
  private saveNoticeSays = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostSeam,
  ) {
    this.sampleList = new VirtualList({ estimate: 30, overscan: 6, render: (i) => this.renderSampleRow(i) });
    this.sampleList.element.classList.add('sample-list');
    this.sampleList.element.setAttribute('aria-label', 'Samples');
    this.stepList = new VirtualList({ estimate: 96, overscan: 3, render: (i) => this.renderStepRow(i) });
    this.stepList.element.classList.add('step-list');
    this.stepList.element.setAttribute('aria-label', 'Steps');
    this.root.append(
      this.saveNotice,
      this.status,
      this.header,
      this.answers,
      h('section', { class: 'samples' }, this.samplesHead, this.sampleList.element),
      h('section', { class: 'steps' }, this.stepsHead, this.trace, this.stepList.element),
      this.help,
    );
    this.renderHelp();
    const saved = host.loadState<ViewState>();
    if (saved) this.view = { ...this.view, ...saved };
    document.addEventListener('keydown', (event) => this.onKey(event));
    host.listen((message) => this.onMessage(message));
    host.post({ type: 'ready' });
  }

  // -------------------------------------------------------------------------------------------
  // Messages from the host

  private onMessage(message: HostMessage): void {
    switch (message.type) {
      case 'run/show':
        this.skipped = message.skipped;
        this.show(message.run, replayAudit(message.events), message.readOnly || this.host.readOnly);
        break;
      case 'run/sample': {
        if (!this.run || message.runId !== this.run.id) return;
        const at = this.run.samples.findIndex((sample) => sample.index === message.sample.index);
        if (at === -1) {
          this.run.samples.push(message.sample);
          this.run.samples.sort((a, b) => a.index - b.index);
        } else this.run.samples[at] = message.sample;
        this.samplesChanged();
        break;
      }
      case 'run/judgement': {
        const sample = this.run?.samples.find((s) => s.index === message.sample);
        if (!this.run || message.runId !== this.run.id || !sample) return;
        sample.judgements[message.judge] = message.judgement;
        this.samplesChanged(message.sample);
        break;
      }
      case 'run/progress':
        if (!this.run || message.runId !== this.run.id) return;
        this.run.status = message.status;
        this.progress = message.progress;
        this.renderHeader();
        break;
      case 'run/finished':
        if (!this.run || message.runId !== this.run.id) return;
        this.run.status = message.status;
        this.run.rerank = message.rerank;
        if (message.finishedAt) this.run.finishedAt = message.finishedAt;
        this.progress = null;
        this.renderHeader();
        this.renderAnswers();
        break;
      case 'audit/saved':
        if (!this.run || message.runId !== this.run.id) return;
        this.saveAnswered(this.saves.saved(message.requestId));
        break;
      case 'audit/failed':
        if (!this.run || message.runId !== this.run.id) return;
        this.saveAnswered(this.saves.failed(message.requestId, message.message));
        break;
      case 'view/empty':
        this.run = null;
        this.root.classList.add('empty');
        replace(
          this.header,
          h('h2', {}, 'StepLens'),
          h('p', {}, message.message),
          this.host.readOnly
            ? null
            : h(
                'div',
                { class: 'actions' },
                button('Analyze Active File', () =>
                  this.host.post({ type: 'command/run', command: 'analyzeActiveFile' }),
                ),
                button('Open Run…', () => this.host.post({ type: 'command/run', command: 'openRun' }), {
                  secondary: true,
                }),
              ),
        );
        break;
    }
  }

  private show(run: Run, labels: AuditLabels, readOnly: boolean): void {
    const sameRun = this.run?.id === run.id;
    // The log the host sends lacks what it has not saved (yet): labels set here stay on screen,
    // still marked, over the fresh copy. Another run's answers concern nothing shown any more.
    if (sameRun) for (const event of this.saves.unsavedEvents()) applyAuditEvent(labels, event);
    else this.saves.reset();
    run.samples.sort((a, b) => a.index - b.index);
    this.run = run;
    this.labels = labels;
    this.readOnly = readOnly;
    this.undoStack = [];
    this.root.classList.remove('empty');
    this.root.classList.toggle('read-only', readOnly);
    const prms = prmJudges(run);
    if (this.view.prm === undefined || !prms.includes(this.view.prm)) {
      const { prm: _dropped, ...rest } = this.view;
      this.view = prms[0] === undefined ? rest : { ...rest, prm: prms[0] };
    }
    if (!sameRun) {
      // Open where the judges disagree first: that is what the panel is for.
      const first = summarize(run, labels, this.view.prm).find((summary) => summary.disagreement.count > 0);
      const sample = first?.sample ?? run.samples[0];
      const step = first ? first.disagreement.steps.indexOf(true) : 0;
      this.view = { ...this.view, sample: sample?.index ?? 0, step };
    }
    if (!run.samples.some((sample) => sample.index === this.view.sample))
      this.view.sample = run.samples[0]?.index ?? 0;
    this.progress = null;
    this.saveView();
    this.renderAll();
  }

  private samplesChanged(sampleIndex?: number): void {
    if (!this.run) return;
    this.summaries = summarize(this.run, this.labels, this.view.prm);
    if (this.run.samples.length === 1 || !this.run.samples.some((s) => s.index === this.view.sample)) {
      this.view.sample = this.run.samples[0]!.index;
      this.renderSteps();
    } else if (sampleIndex === undefined || sampleIndex === this.view.sample) {
      this.renderSteps();
    }
    this.renderSamplesHead();
    this.sampleList.setCount(this.summaries.length);
    this.renderAnswers();
  }

  // -------------------------------------------------------------------------------------------
  // Rendering

  /**
   * The problem, answers and rerankers first; the lists after the browser has painted them, so a
   * large run shows its summary at once instead of after the first screen of steps is laid out.
   */
  private renderAll(): void {
    if (!this.run) return;
    this.summaries = summarize(this.run, this.labels, this.view.prm);
    this.renderStatus();
    this.renderHeader();
    this.renderAnswers();
    this.renderSamplesHead();
    const generation = ++this.renderGeneration;
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (generation !== this.renderGeneration) return;
        this.sampleList.setCount(this.summaries.length);
        this.renderSteps();
      }, 0),
    );
  }

  private renderStatus(): void {
    this.renderSaveNotice();
    replace(this.status);
    const skipped = this.skipped;
    if (skipped && this.run && this.skippedDismissed !== skippedId(this.run.id, skipped)) {
      const runId = this.run.id;
      const named = skipped.lines.map(({ line, reason }) => `line ${line}: ${reason}`);
      if (skipped.count > named.length) named.push(`and ${skipped.count - named.length} more`);
      this.status.append(
        h(
          'div',
          { class: 'warning skipped-lines' },
          h(
            'div',
            {},
            icon('warning'),
            ` ${skipped.count} audit line${skipped.count === 1 ? '' : 's'} could not be read: ${named.join('; ')}.`,
          ),
          h('div', { class: 'muted' }, `Their labels are not shown. Log: ${skipped.log}`),
          button(
            'Dismiss',
            () => {
              // Until the log changes: the same notice is not shown again for this run.
              this.skippedDismissed = skippedId(runId, skipped);
              this.renderStatus();
            },
            { secondary: true },
          ),
        ),
      );
    }
    if (this.readOnly && this.run) {
      this.status.append(h('div', { class: 'note' }, 'Read-only view: labels cannot be changed here.'));
    }
  }

  private renderHeader(): void {
    const run = this.run;
    if (!run) return;
    const problemText = h('div', { class: 'problem-text' });
    appendMathText(problemText, run.problem.text);
    const judges = run.judges
      .map((judge) => `${judge.id === SELF_JUDGE_ID ? 'Self-PRM' : judge.id} (${judge.model})`)
      .join(' · ');
    const progress = this.progress;
    replace(
      this.header,
      h(
        'div',
        { class: 'problem-title' },
        h('h2', {}, run.problem.id),
        h(
          'span',
          { class: 'muted' },
          `${run.problem.source.file}${run.problem.source.row ? ` · row ${run.problem.source.row}` : ''}`,
        ),
        run.status !== 'complete' ? badge(run.status) : null,
      ),
      problemText,
      h(
        'div',
        { class: 'meta' },
        run.problem.reference !== undefined
          ? h(
              'span',
              { class: 'reference' },
              'Reference answer: ',
              h('span', { class: 'answer' }, mathNode(run.problem.reference)),
            )
          : h('span', { class: 'muted' }, 'No reference answer'),
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

  private renderAnswers(): void {
    const run = this.run;
    if (!run) return;
    const rows = answerRows(run, this.view.prm);
    const prmLabel = this.view.prm ?? 'PRM';
    const table = h(
      'table',
      { class: 'answer-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Answer'),
          h('th', { class: 'num' }, 'Votes'),
          h('th', { class: 'num', title: 'mean Self-PRM solution score' }, 'Self'),
          h('th', { class: 'num', title: `mean ${prmLabel} solution score` }, prmLabel),
          h('th', {}, 'Picked by'),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { class: row.correct === true ? 'right' : row.correct === false ? 'wrong' : '' },
            h('td', {}, correctness(row.correct), ' ', mathNode(row.answer)),
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
      this.answers,
      h(
        'div',
        { class: 'section-head' },
        h('h3', {}, 'Answers'),
        h(
          'span',
          { class: 'muted' },
          `${run.samples.length} samples${failed ? ` · ${failed} failed` : ''}${noAnswer ? ` · ${noAnswer} without answer` : ''}`,
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
            pick.answer === null ? '–' : mathNode(pick.answer),
            ' ',
            correctness(pick.correct),
          ),
        ),
      ),
    );
  }

  private renderSamplesHead(): void {
    const run = this.run;
    if (!run) return;
    const prms = prmJudges(run);
    const total = this.summaries.reduce((sum, s) => sum + s.disagreement.count, 0);
    const samplesWith = this.summaries.filter((s) => s.disagreement.count > 0).length;
    replace(
      this.samplesHead,
      h('h3', {}, 'Samples'),
      h(
        'span',
        { class: 'muted' },
        this.view.prm === undefined || !hasSelf(run)
          ? 'one judge only: nothing to compare'
          : `Self-PRM and ${this.view.prm} disagree on ${total} step${total === 1 ? '' : 's'} in ${samplesWith} of ${this.summaries.length} samples`,
      ),
      prms.length > 1
        ? select(
            prms.map((id) => ({ value: id, label: `compare with ${id}` })),
            this.view.prm ?? prms[0]!,
            (value) => {
              this.view.prm = value;
              this.saveView();
              this.renderAll();
            },
          )
        : null,
      h(
        'div',
        { class: 'sample-row sample-columns', 'aria-hidden': 'true' },
        h('span', { title: 'sample' }, '#'),
        h('span', { title: 'final answer, checked against the reference' }, 'answer'),
        h('span', { title: 'the first error Self-PRM names' }, 'self'),
        h(
          'span',
          { class: 'num', title: `${this.view.prm ?? 'PRM'} solution score` },
          this.view.prm ?? 'PRM',
        ),
        h('span', { class: 'num', title: 'steps where the judges disagree' }, '≠'),
        h('span', { class: 'num', title: 'steps rated by you; ✓ = first error set' }, 'rated'),
      ),
    );
  }

  private renderSampleRow(position: number): HTMLElement {
    const summary = this.summaries[position]!;
    const { sample } = summary;
    const self = sample.judgements[SELF_JUDGE_ID];
    const prm = this.view.prm === undefined ? undefined : sample.judgements[this.view.prm];
    const selected = sample.index === this.view.sample;
    const humanFirst = this.labels[sample.index]?.firstError;
    const selfFirst = this.run ? judgeFirstError(this.run, sample, SELF_JUDGE_ID) : undefined;
    const row = h(
      'div',
      {
        class: `sample-row${selected ? ' selected' : ''}${summary.disagreement.count > 0 ? ' has-disagreement' : ''}${sample.error ? ' failed' : ''}`,
        role: 'option',
        'aria-selected': selected ? 'true' : 'false',
        title: sample.error ?? '',
      },
      h('span', { class: 'idx' }, String(sample.index)),
      sample.error
        ? h('span', { class: 'answer' }, h('span', { class: 'error-text' }, 'failed'))
        : h(
            'span',
            { class: 'answer' },
            correctness(sample.correct),
            ' ',
            sample.answer === null ? '–' : mathNode(sample.answer),
          ),
      h(
        'span',
        { class: 'verdict', title: self?.error ?? verdictText(selfFirst) },
        self?.error ? 'judge failed' : verdictText(selfFirst),
      ),
      h('span', { class: 'num' }, prm?.error ? 'failed' : formatScore(prm?.solutionScore)),
      h(
        'span',
        { class: 'num' },
        summary.disagreement.count > 0
          ? badge(String(summary.disagreement.count), 'steps where the judges disagree')
          : '0',
      ),
      h(
        'span',
        { class: 'num' },
        `${summary.rated}/${sample.steps.length}${humanFirst !== undefined ? ' ✓' : ''}`,
      ),
    );
    row.addEventListener('click', () => this.selectSample(sample.index));
    return row;
  }

  private currentSample(): Sample | undefined {
    return this.run?.samples.find((sample) => sample.index === this.view.sample);
  }

  private currentSummary(): SampleSummary | undefined {
    return this.summaries.find((summary) => summary.sample.index === this.view.sample);
  }

  private renderSteps(): void {
    const run = this.run;
    const sample = this.currentSample();
    const summary = this.currentSummary();
    if (!run || !sample || !summary) {
      replace(this.stepsHead, h('h3', {}, 'Steps'), h('span', { class: 'muted' }, 'No sample yet.'));
      replace(this.trace);
      this.visibleSteps = [];
      this.stepList.setCount(0);
      return;
    }
    this.visibleSteps = sample.steps
      .map((_, i) => i)
      .filter((i) => !this.view.onlyDisagreements || summary.disagreement.steps[i]);
    if (!this.visibleSteps.includes(this.view.step)) this.view.step = this.visibleSteps[0] ?? 0;
    this.renderStepsHead();
    const failures = Object.entries(sample.judgements).filter(([, judgement]) => judgement.error);
    const traceChildren: Child[] = [];
    if (sample.error) traceChildren.push(h('p', { class: 'error-text' }, `Sampling failed: ${sample.error}`));
    for (const [judge, judgement] of failures)
      traceChildren.push(h('p', { class: 'error-text' }, `${judge} failed: ${judgement.error}`));
    if (sample.reasoning) {
      const pre = h('pre', { class: 'reasoning' });
      pre.textContent = sample.reasoning;
      traceChildren.push(
        collapsible(`Reasoning trace (${sample.reasoning.length.toLocaleString()} characters)`, pre),
      );
    }
    if (this.view.onlyDisagreements && this.visibleSteps.length === 0) {
      traceChildren.push(h('p', { class: 'muted' }, 'The judges agree on every step of this sample.'));
    }
    replace(this.trace, ...traceChildren);
    this.stepList.setCount(this.visibleSteps.length);
    if (this.visibleSteps.length > 0 && performance.getEntriesByName('steplens:first-step').length === 0) {
      performance.mark('steplens:first-step');
    }
  }

  private renderStepsHead(): void {
    const run = this.run;
    const sample = this.currentSample();
    if (!run || !sample) return;
    const humanFirst = this.labels[sample.index]?.firstError;
    replace(
      this.stepsHead,
      h('h3', {}, `Sample ${sample.index}`),
      h(
        'span',
        { class: 'muted' },
        `${sample.steps.length} steps · answer `,
        sample.answer === null ? '–' : mathNode(sample.answer),
        ' ',
        correctness(sample.correct),
        sample.finishReason && sample.finishReason !== 'stop' ? ` · finish: ${sample.finishReason}` : '',
        humanFirst !== undefined || this.saves.state(labelKeys.firstError(sample.index))
          ? h(
              'span',
              { class: 'human-verdict' },
              ` · human: ${verdictText(humanFirst)}`,
              this.saveMark(labelKeys.firstError(sample.index)),
            )
          : '',
      ),
      checkbox('Only disagreements', this.view.onlyDisagreements, (checked) => this.setFilter(checked)),
      h(
        'div',
        { class: 'legend' },
        h('span', { class: 'swatch self' }),
        'Self-PRM',
        h('span', { class: 'swatch prm' }),
        this.view.prm ?? 'PRM',
        h('span', { class: 'swatch disagree' }),
        'disagree',
        h('span', { class: 'muted' }, ` · ${thresholdLegend(run, this.view.prm)}`),
      ),
    );
  }

  private renderStepRow(position: number): HTMLElement {
    const run = this.run!;
    const sample = this.currentSample()!;
    const summary = this.currentSummary()!;
    const step = this.visibleSteps[position]!;
    const self = sample.judgements[SELF_JUDGE_ID];
    const prm = this.view.prm === undefined ? undefined : sample.judgements[this.view.prm];
    const labels = this.labels[sample.index];
    const stepLabels = labels?.steps[step];
    const disagree = summary.disagreement.steps[step] === true;
    const selected = step === this.view.step;
    const text = h('div', { class: 'step-text' });
    appendMathText(text, sample.steps[step]!, { defer: true });

    const flags: Child[] = [];
    if (judgeFirstError(run, sample, SELF_JUDGE_ID) === step)
      flags.push(h('span', { class: 'flag self' }, icon('flag'), ' Self: first error'));
    if (this.view.prm !== undefined && judgeFirstError(run, sample, this.view.prm) === step)
      flags.push(h('span', { class: 'flag prm' }, icon('flag'), ` ${this.view.prm}: first error`));
    if (labels?.firstError === step) {
      const key = labelKeys.firstError(sample.index);
      flags.push(
        this.marked(
          h('span', { class: 'flag human' }, icon('person'), ' Human: first error', this.saveMark(key)),
          key,
        ),
      );
    }

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
          this.view.prm !== undefined
            ? scoreBar(this.view.prm, 'prm', prm, step, thresholdOf(run, this.view.prm))
            : null,
        ),
        this.renderLabelControls(sample, step, disagree),
        this.renderNote(sample.index, step, stepLabels?.note),
      ),
    );
    row.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('button')) return;
      this.selectStep(step, false);
    });
    return row;
  }

  /** The step's note, or (while that is unsaved) the word that it was removed. */
  private renderNote(sample: number, step: number, note: string | undefined): HTMLElement | null {
    const key = labelKeys.note(sample, step);
    if (note)
      return this.marked(h('div', { class: 'step-note' }, icon('note'), ` ${note}`, this.saveMark(key)), key);
    if (!this.saves.state(key)) return null;
    // Gone from the row once the removal is saved (see paintMark).
    const removed = h(
      'div',
      { class: 'step-note while-unsaved' },
      icon('note'),
      ' note removed',
      this.saveMark(key),
    );
    return this.marked(removed, key);
  }

  private renderLabelControls(sample: Sample, step: number, disagree: boolean): HTMLElement {
    const stepLabels = this.labels[sample.index]?.steps[step];
    /**
     * One label chip: pressed when the label is set; clicking selects the step and sets it. The
     * pressed chip of a label not saved yet is drawn as such.
     */
    const chip = (
      kind: string,
      text: string,
      title: string,
      active: boolean,
      key: string,
      set: () => void,
    ) => {
      const element = h(
        'button',
        {
          class: `chip ${kind}${active ? ' active' : ''}`,
          'aria-pressed': active ? 'true' : 'false',
          title,
          type: 'button',
        },
        text,
      );
      element.addEventListener('click', () => {
        this.selectStep(step, false);
        set();
      });
      if (this.readOnly) element.setAttribute('disabled', '');
      return active ? this.marked(element, key) : element;
    };
    const ratingKey = labelKeys.rating(sample.index, step);
    const ratingChip = (rating: -1 | 0 | 1, text: string, keyName: string) =>
      chip(
        `rating r${rating}`,
        text,
        `rate ${text} (key ${keyName})`,
        stepLabels?.rating === rating,
        ratingKey,
        () => this.rate(rating),
      );
    const controls = h(
      'div',
      { class: 'labels' },
      ratingChip(-1, '−1', '1'),
      ratingChip(0, '0', '2'),
      ratingChip(1, '+1', '3'),
      this.saveMark(ratingKey),
    );
    const prm = this.view.prm;
    if (prm === undefined) return controls;
    const who = stepLabels?.who?.[prm];
    const whoKey = labelKeys.who(sample.index, step, prm);
    if (disagree) {
      const whoChip = (value: 'self' | 'prm' | 'both' | 'neither', text: string, keyName: string) =>
        chip('who', text, `who was right: ${value} (key ${keyName})`, who === value, whoKey, () =>
          this.setWho(value),
        );
      controls.append(
        h('span', { class: 'muted who-label' }, 'right:'),
        whoChip('self', 'Self', 's'),
        whoChip('prm', 'PRM', 'p'),
        whoChip('both', 'Both', 'b'),
        whoChip('neither', 'Neither', 'x'),
        this.saveMark(whoKey),
      );
    } else if (who || this.saves.state(whoKey)) {
      controls.append(h('span', { class: 'muted who-label' }, `right: ${who ?? '–'}`), this.saveMark(whoKey));
    }
    return controls;
  }

  // -------------------------------------------------------------------------------------------
  // Saving: every label is marked unsaved until the host answers that its log has it

  /** `element` shows label `key`'s value: it is drawn unsaved while the label is. */
  private marked(element: HTMLElement, key: string): HTMLElement {
    element.dataset.labelKey = key;
    this.paintMark(element);
    return element;
  }

  /** The mark beside label `key`: empty and hidden once the label is saved. */
  private saveMark(key: string): HTMLElement {
    const mark = h('span', { class: 'save-mark' });
    return this.marked(mark, key);
  }

  private paintMark(element: HTMLElement): void {
    const label = this.saves.state(element.dataset.labelKey ?? '');
    if (!element.classList.contains('save-mark')) {
      if (!label && element.classList.contains('while-unsaved')) {
        element.remove();
        return;
      }
      element.classList.toggle('unsaved', label !== undefined);
      element.classList.toggle('save-failed', label?.status === 'failed');
      return;
    }
    element.classList.toggle('pending', label?.status === 'pending');
    element.classList.toggle('failed', label?.status === 'failed');
    if (!label) {
      element.hidden = true;
      element.removeAttribute('title');
      replace(element);
      return;
    }
    element.hidden = false;
    const what = describeLabel(label.event);
    if (label.status === 'pending') {
      element.title = `${what}: not saved yet`;
      // The dot VS Code puts on an unsaved editor; the words are for screen readers.
      replace(element, icon('circle-filled'), h('span', { class: 'sr-only' }, 'not saved yet'));
    } else {
      element.title = `${what}: not saved (${label.message ?? 'unknown error'})`;
      replace(element, icon('warning'), h('span', { class: 'save-mark-text' }, 'not saved'));
    }
  }

  /** Redraws, where they are on screen, the marks of label `key`. */
  private paintMarks(key: string): void {
    // In place, not by re-rendering rows: a note being typed in a row must survive an answer.
    for (const element of this.root.querySelectorAll<HTMLElement>(`[data-label-key="${CSS.escape(key)}"]`))
      this.paintMark(element);
  }

  private saveAnswered(key: string | undefined): void {
    if (key !== undefined) this.paintMarks(key);
    this.renderSaveNotice();
  }

  /**
   * Which labels the host could not save, and why; Retry posts each label's latest change again.
   * Failures usually share one cause (a full disk, a read-only folder): each cause is said once,
   * with the labels it hit, so the notice stays short in a narrow side bar.
   */
  private renderSaveNotice(): void {
    const failures = this.saves.failures();
    const says = JSON.stringify(failures.map((label) => [label.key, label.requestId, label.message]));
    if (says === this.saveNoticeSays) return;
    this.saveNoticeSays = says;
    this.saveNotice.hidden = failures.length === 0;
    if (failures.length === 0) {
      replace(this.saveNotice);
      return;
    }
    const SHOWN = 5;
    const byCause = new Map<string, string[]>();
    for (const label of failures) {
      const cause = label.message ?? 'unknown error';
      byCause.set(cause, [...(byCause.get(cause) ?? []), describeLabel(label.event)]);
    }
    let room = SHOWN;
    const causes = [...byCause].map(([cause, labels]) => {
      const listed = labels.slice(0, Math.max(0, room));
      room -= listed.length;
      return h(
        'div',
        { class: 'cause' },
        h('div', { class: 'reason' }, cause),
        listed.length > 0 ? h('ul', {}, ...listed.map((label) => h('li', {}, label))) : null,
      );
    });
    replace(
      this.saveNotice,
      h(
        'div',
        { class: 'warning' },
        h(
          'div',
          { class: 'notice-head' },
          icon('warning'),
          ` ${failures.length} label${failures.length === 1 ? '' : 's'} not saved`,
        ),
        ...causes,
        failures.length > SHOWN ? h('div', {}, `and ${failures.length - SHOWN} more`) : null,
        h(
          'div',
          { class: 'actions' },
          button('Retry', () => this.retrySaves(), { title: 'save these labels again' }),
          h('span', { class: 'muted' }, 'Until saved they are not in the audit log.'),
        ),
      ),
    );
  }

  private retrySaves(): void {
    const run = this.run;
    if (!run || this.readOnly) return;
    for (const label of this.saves.failures()) {
      this.post(run.id, label.event);
      this.paintMarks(label.key);
    }
    this.renderSaveNotice();
  }

  private post(runId: string, event: AuditEvent): void {
    this.host.post({ type: 'audit/append', runId, requestId: this.saves.begin(event), event });
  }

  private renderHelp(): void {
    replace(
      this.help,
      h('h3', {}, 'Keyboard'),
      h(
        'table',
        {},
        h(
          'tbody',
          {},
          ...KEY_HELP.map(([keys, what]) => h('tr', {}, h('td', {}, h('kbd', {}, keys)), h('td', {}, what))),
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        'Every label is saved the moment you set it; a dot marks one not saved yet. Esc closes this.',
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Navigation and labeling

  /** The run id lets VS Code restore an editor panel to the same run after a window reload. */
  private saveView(): void {
    this.host.saveState({ ...this.view, runId: this.run?.id });
  }

  private selectSample(index: number): void {
    if (index === this.view.sample) return;
    this.view.sample = index;
    this.view.step = 0;
    this.saveView();
    this.sampleList.refresh();
    this.renderSteps();
    const position = this.summaries.findIndex((summary) => summary.sample.index === index);
    this.sampleList.scrollToIndex(position);
  }

  private selectStep(step: number, scroll = true): void {
    const previous = this.view.step;
    this.view.step = step;
    this.saveView();
    const oldPosition = this.visibleSteps.indexOf(previous);
    const newPosition = this.visibleSteps.indexOf(step);
    if (oldPosition !== -1) this.stepList.update(oldPosition);
    if (newPosition !== -1) {
      this.stepList.update(newPosition);
      if (scroll) this.stepList.scrollToIndex(newPosition);
    }
  }

  private setFilter(only: boolean): void {
    this.view.onlyDisagreements = only;
    this.saveView();
    this.renderSteps();
  }

  private moveStep(delta: 1 | -1): void {
    const position = this.visibleSteps.indexOf(this.view.step);
    const next = this.visibleSteps[Math.min(this.visibleSteps.length - 1, Math.max(0, position + delta))];
    if (next !== undefined) this.selectStep(next);
  }

  private moveSample(delta: 1 | -1): void {
    const position = this.summaries.findIndex((summary) => summary.sample.index === this.view.sample);
    const next = this.summaries[Math.min(this.summaries.length - 1, Math.max(0, position + delta))];
    if (next) this.selectSample(next.sample.index);
  }

  /** The next disagreement after the selected step, in this sample or the ones after it. */
  private nextDisagreement(): void {
    const start = this.summaries.findIndex((summary) => summary.sample.index === this.view.sample);
    for (let offset = 0; offset < this.summaries.length; offset++) {
      const summary = this.summaries[(start + offset) % this.summaries.length]!;
      const from = offset === 0 ? this.view.step + 1 : 0;
      const step = summary.disagreement.steps.findIndex((flag, i) => flag && i >= from);
      if (step !== -1) {
        this.selectSample(summary.sample.index);
        if (!this.visibleSteps.includes(step)) this.renderSteps();
        this.selectStep(step);
        return;
      }
    }
  }

  private record(changes: AuditChange[], undoable = true): void {
    const run = this.run;
    if (!run || this.readOnly || changes.length === 0) return;
    const inverse = changes.map((change) => inverseOf(this.labels, change)).reverse();
    for (const change of changes) {
      const event = stampEvent(change);
      applyAuditEvent(this.labels, event);
      this.post(run.id, event);
    }
    if (undoable) this.undoStack.push(inverse);
    this.afterLabelChange(changes);
    // A label changed again is no longer failed but pending: the notice may have less to say.
    this.renderSaveNotice();
  }

  /** Redraws every row the changes touched: an undo may concern a step or sample left behind. */
  private afterLabelChange(changes: AuditChange[]): void {
    this.summaries = summarize(this.run!, this.labels, this.view.prm);
    for (const sampleIndex of new Set(changes.map((change) => change.sample)))
      this.sampleList.update(this.summaries.findIndex((summary) => summary.sample.index === sampleIndex));
    const steps = new Set([this.view.step]);
    for (const change of changes) {
      // A first-error change carries a verdict, not a row; its rows are redrawn by its caller.
      if (change.sample === this.view.sample && change.type !== 'firstError' && change.step !== undefined)
        steps.add(change.step);
    }
    for (const step of steps) this.stepList.update(this.visibleSteps.indexOf(step));
  }

  private rate(rating: -1 | 0 | 1): void {
    const current = this.labels[this.view.sample]?.steps[this.view.step]?.rating;
    this.record([
      {
        type: 'stepRating',
        sample: this.view.sample,
        step: this.view.step,
        rating: current === rating ? null : rating,
      },
    ]);
  }

  private setWho(who: 'self' | 'prm' | 'both' | 'neither'): void {
    const prm = this.view.prm;
    if (prm === undefined) return;
    const current = this.labels[this.view.sample]?.steps[this.view.step]?.who?.[prm];
    this.record([
      {
        type: 'whoWasRight',
        sample: this.view.sample,
        step: this.view.step,
        judge: prm,
        who: current === who ? null : who,
      },
    ]);
  }

  private markFirstError(step: number): void {
    const current = this.labels[this.view.sample]?.firstError;
    this.record([{ type: 'firstError', sample: this.view.sample, step: current === step ? null : step }]);
    this.afterFirstErrorChange(current);
  }

  /** The old and the new first-error rows lose and gain their flag; the heading says the verdict. */
  private afterFirstErrorChange(previous: number | undefined): void {
    const now = this.labels[this.view.sample]?.firstError;
    for (const step of [previous, now]) {
      if (step !== undefined && step >= 0) this.stepList.update(this.visibleSteps.indexOf(step));
    }
    this.renderStepsHead();
  }

  private editNote(): void {
    if (this.readOnly) return;
    const sample = this.view.sample;
    const step = this.view.step;
    const position = this.visibleSteps.indexOf(step);
    const row = this.stepList.element.querySelector<HTMLElement>(`[data-step="${step}"]`);
    if (!row || position === -1) return;
    const field = textField(
      this.labels[sample]?.steps[step]?.note ?? '',
      'Note on this step; Enter saves, Esc cancels',
    );
    field.classList.add('note-field');
    const body = row.querySelector('.step-body') ?? row;
    body.append(field);
    focusWhenReady(field);
    field.addEventListener('keydown', (event: KeyboardEvent) => {
      event.stopPropagation();
      if (event.key === 'Enter') {
        this.record([{ type: 'note', sample, step, text: field.value.trim() }]);
        this.stepList.update(position);
      } else if (event.key === 'Escape') {
        field.remove();
      }
    });
  }

  private undo(): void {
    const changes = this.undoStack.pop();
    if (!changes) return;
    const previousFirstError = this.labels[this.view.sample]?.firstError;
    this.record(changes, false);
    if (changes.some((change) => change.type === 'firstError'))
      this.afterFirstErrorChange(previousFirstError);
  }

  private onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (
      target &&
      (target.closest('input, textarea, vscode-textfield, vscode-single-select') || target.isContentEditable)
    )
      return;
    const action: KeyAction | undefined = KEYMAP[event.key];
    if (!action || !this.run) return;
    event.preventDefault();
    const labeling = ['rate', 'who', 'firstErrorHere', 'noError', 'note', 'undo'].includes(action.kind);
    if (labeling && this.readOnly) return;
    switch (action.kind) {
      case 'step':
        this.moveStep(action.delta);
        return;
      case 'sample':
        this.moveSample(action.delta);
        return;
      case 'nextDisagreement':
        this.nextDisagreement();
        return;
      case 'rate':
        this.rate(action.rating);
        return;
      case 'who':
        this.setWho(action.who);
        return;
      case 'firstErrorHere':
        this.markFirstError(this.view.step);
        return;
      case 'noError':
        this.markFirstError(-1);
        return;
      case 'note':
        this.editNote();
        return;
      case 'undo':
        this.undo();
        return;
      case 'filter':
        this.setFilter(!this.view.onlyDisagreements);
        return;
      case 'help':
        this.help.toggleAttribute('hidden');
        return;
      case 'escape':
        this.help.setAttribute('hidden', '');
        return;
    }
  }
}

function skippedId(runId: string, skipped: SkippedLines): string {
  return JSON.stringify([runId, skipped.log, skipped.count, skipped.lines]);
}

/** Ids unique to this page, so a reloaded panel never takes an answer meant for its predecessor. */
function pageId(): string {
  return Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');
}

function replace(element: HTMLElement, ...children: Child[]): void {
  element.replaceChildren(
    ...children.filter(
      (child): child is Node | string => child !== null && child !== undefined && child !== false,
    ),
  );
}

function mathNode(text: string): HTMLElement {
  const span = document.createElement('span');
  appendMathText(span, text);
  return span;
}

function correctness(correct: boolean | undefined): HTMLElement | string {
  if (correct === undefined) return '';
  return icon(correct ? 'pass' : 'error', correct ? 'matches the reference' : 'does not match the reference');
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
