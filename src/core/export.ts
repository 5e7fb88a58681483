/**
 * Labeled audits as data other tools read: ProcessBench rows, PRM800K-style rows, a CSV of every
 * step, and a judge-agreement report (JSON and Markdown).
 */
import {
  type AnnotatedRun,
  describeSource,
  type HumanAgreement,
  humanAgreement,
  type LabelSource,
  UNNAMED_ANNOTATOR,
} from './annotators.js';
import { type AuditLabels, humanFirstError } from './audit.js';
import { datasetLabels } from './gold.js';
import { judgeThreshold, verdictOf } from './judgements.js';
import { type Calibration, calibration } from './judgeTrust.js';
import { describeLabelConflicts, labelConflicts } from './labelConflicts.js';
import {
  cohensKappa,
  type KappaScore,
  type PrecisionScore,
  type ProcessBenchScore,
  precision,
  processBenchF1,
} from './metrics.js';
import { SELF_JUDGE_ID } from './rerank.js';
import type { Run, Sample } from './schemas.js';

/** Where a run's labels came from, and the lines of its log that could not be read. */
export interface AuditSource {
  /** The log's file name (reports never carry a local path). */
  file: string;
  /** Where it was read, for messages on this machine. */
  path?: string;
  events: number;
  skipped: readonly { line: number; reason: string }[];
}

export interface LabeledRun {
  run: Run;
  /** One label per sample, resolved over annotators by `resolveSample` (core/annotators.ts). */
  labels: AuditLabels;
  /** Who labelled: where each sample's label came from, and each annotator's own labels. */
  annotation?: { sources: ReadonlyMap<number, LabelSource>; byAnnotator: ReadonlyMap<string, AuditLabels> };
  audit?: AuditSource;
}

/**
 * A sample that is a solution at all: not failed, and not cut short by a cancel (its text ends
 * mid-sentence and it was never judged). Only these become dataset rows or count in the report.
 */
function isWholeSample(sample: Sample): boolean {
  return !sample.error && !sample.cancelled;
}

/**
 * Whether the sample's first-error mark and its ratings contradict each other (core/labelConflicts):
 * such a sample has no label to export — ProcessBench would take the mark, PRM800K the ratings —
 * so it is left out of both JSONL files and of every judge-versus-human figure, and counted.
 */
function contradicts(labels: AuditLabels, sample: number): boolean {
  return labelConflicts(labels[sample]).length > 0;
}

/** Every whole sample whose labels contradict each other, with the contradiction in words. */
export function contradictorySamples(runs: readonly LabeledRun[]): AgreementReport['contradictorySamples'] {
  return runs.flatMap(({ run, labels }) =>
    run.samples.flatMap((sample) => {
      const conflicts = isWholeSample(sample) ? labelConflicts(labels[sample.index]) : [];
      return conflicts.length > 0
        ? [{ run: run.id, sample: sample.index, conflict: describeLabelConflicts(conflicts) }]
        : [];
    }),
  );
}

/**
 * What each JSONL file holds, and the labelled samples prm800k.jsonl cannot hold: a PRM800K row is
 * the ratings from step 0 on (up to the first unrated or −1 step), so a sample labelled only by its
 * first-error mark, or rated from a later step, has none — processbench.jsonl still takes its mark.
 */
export function exportedRows(runs: readonly LabeledRun[]): AgreementReport['exported'] {
  const unstarted = runs.flatMap(({ run, labels }) =>
    run.samples.flatMap((sample) => {
      const own = labels[sample.index];
      if (!own || !isWholeSample(sample) || contradicts(labels, sample.index)) return [];
      const labelled =
        own.firstError !== undefined || Object.values(own.steps).some((step) => step.rating !== undefined);
      return labelled && own.steps[0]?.rating === undefined ? [{ run: run.id, sample: sample.index }] : [];
    }),
  );
  return {
    processBenchRows: processBenchRows(runs).length,
    prm800kRows: prm800kRows(runs).length,
    notInPrm800k: unstarted,
  };
}

/** One line on the rows written, for the CLI's and Export Audits' messages. */
export function exportedRowsNotice(exported: AgreementReport['exported']): string {
  const missing = exported.notInPrm800k.length;
  return `processbench.jsonl ${exported.processBenchRows} row(s), prm800k.jsonl ${exported.prm800kRows} row(s)${missing > 0 ? ` (${missing} labelled sample(s) have no rating on step 0, where a PRM800K row starts: see report.md)` : ''}`;
}

/** What the CLI and the Export Audits command say when an export left contradictory samples out. */
export function contradictionsNotice(count: number): string {
  return `${count} sample(s) have labels that contradict each other (the first-error mark against the step ratings): left out of processbench.jsonl, prm800k.jsonl and the report's figures against the human labels, and listed in report.md`;
}

function sampleId(run: Run, sample: Sample): string {
  return `${run.id}/${sample.index}`;
}

/** Who a sample's exported label is from: an annotator, "ana+ben" agreeing, or "adjudicated by cai". */
function labelledBy(labeled: LabeledRun, sample: number): { annotator: string; adjudicated: boolean } {
  const source = labeled.annotation?.sources.get(sample);
  if (!source) return { annotator: UNNAMED_ANNOTATOR, adjudicated: false };
  return { annotator: describeSource(source), adjudicated: source.kind === 'adjudicated' };
}

export interface ProcessBenchRow {
  id: string;
  generator: string;
  problem: string;
  steps: string[];
  final_answer_correct: boolean | null;
  label: number;
  /** Whose label this is (see `labelledBy`); `adjudicated` when an adjudication settled it. */
  annotator: string;
  adjudicated: boolean;
}

export function processBenchRows(runs: readonly LabeledRun[]): ProcessBenchRow[] {
  const rows: ProcessBenchRow[] = [];
  for (const labeled of runs) {
    const { run, labels } = labeled;
    for (const sample of run.samples) {
      if (!isWholeSample(sample) || contradicts(labels, sample.index)) continue;
      const label = humanFirstError(sample, labels[sample.index]);
      if (label === undefined) continue;
      rows.push({
        id: sampleId(run, sample),
        generator: run.problem.generator ?? run.config.policy.model,
        problem: run.problem.text,
        steps: sample.steps,
        // The reference check when the run had a reference; else the row's own value, when the
        // sample is the row's own steps.
        final_answer_correct:
          sample.correct ?? datasetLabels(run.problem, sample)?.finalAnswerCorrect ?? null,
        label,
        ...labelledBy(labeled, sample.index),
      });
    }
  }
  return rows;
}

export interface Prm800kRow {
  question: { problem: string; ground_truth_answer: string | null };
  label: {
    steps: {
      completions: { text: string; rating: -1 | 0 | 1 }[];
      human_completion: null;
      chosen_completion: 0;
    }[];
    /** "found_error" after a −1, "solution" when every step is rated, "give_up" where labelling stopped. */
    finish_reason: 'found_error' | 'solution' | 'give_up';
  };
  generator: string;
  steplens: { run: string; sample: number; annotator: string; adjudicated: boolean };
}

export function prm800kRows(runs: readonly LabeledRun[]): Prm800kRow[] {
  const rows: Prm800kRow[] = [];
  for (const labeled of runs) {
    const { run, labels } = labeled;
    for (const sample of run.samples) {
      if (!isWholeSample(sample) || contradicts(labels, sample.index)) continue;
      const sampleLabels = labels[sample.index];
      if (!sampleLabels) continue;
      const steps: Prm800kRow['label']['steps'] = [];
      let finish: Prm800kRow['label']['finish_reason'] = 'solution';
      for (let i = 0; i < sample.steps.length; i++) {
        const rating = sampleLabels.steps[i]?.rating;
        if (rating === undefined) {
          finish = 'give_up';
          break;
        }
        steps.push({
          completions: [{ text: sample.steps[i]!, rating }],
          human_completion: null,
          chosen_completion: 0,
        });
        if (rating === -1) {
          finish = 'found_error';
          break;
        }
      }
      if (steps.length === 0) continue;
      rows.push({
        question: { problem: run.problem.text, ground_truth_answer: run.problem.reference ?? null },
        label: { steps, finish_reason: finish },
        generator: run.config.policy.model,
        steplens: { run: run.id, sample: sample.index, ...labelledBy(labeled, sample.index) },
      });
    }
  }
  return rows;
}

/**
 * RFC 4180 quoting, and a leading apostrophe on any text a spreadsheet would run as a formula —
 * ids and headers included, since they come from files too. Numbers are written as numbers.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let cell = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r|%]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Text from a file or a model inside a Markdown table cell: no HTML, no formatting, no broken columns. */
export function markdownCell(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~!]/g, (ch) => `\\${ch}`);
}

function prmIds(runs: readonly LabeledRun[]): string[] {
  const ids = new Set<string>();
  for (const { run } of runs)
    for (const judge of run.judges) if (judge.id !== SELF_JUDGE_ID) ids.add(judge.id);
  return [...ids];
}

export function stepsCsv(runs: readonly LabeledRun[]): string {
  const prms = prmIds(runs);
  const header = [
    'run',
    'sample',
    'step',
    'text',
    'self_score',
    ...prms.map((id) => `${id}_score`),
    'human_rating',
    'who_was_right',
    'note',
    'annotator',
  ];
  const lines = [header.map((cell) => csvCell(cell)).join(',')];
  for (const labeled of runs) {
    const { run, labels } = labeled;
    for (const sample of run.samples) {
      sample.steps.forEach((text, step) => {
        const stepLabels = labels[sample.index]?.steps[step];
        const who = Object.entries(stepLabels?.who ?? {});
        const whoText =
          who.length === 1 && prms.length === 1
            ? who[0]![1]
            : who.map(([judge, value]) => `${judge}:${value}`).join(';');
        lines.push(
          [
            csvCell(run.id),
            csvCell(sample.index),
            csvCell(step),
            csvCell(text),
            csvCell(sample.judgements[SELF_JUDGE_ID]?.stepScores[step]),
            ...prms.map((id) => csvCell(sample.judgements[id]?.stepScores[step])),
            csvCell(stepLabels?.rating),
            csvCell(whoText),
            csvCell(stepLabels?.note),
            csvCell(stepLabels ? labelledBy(labeled, sample.index).annotator : undefined),
          ].join(','),
        );
      });
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** One ProcessBench F1 input: a labeled sample's human first error and the judge's, at its τ. */
export interface FirstErrorPair {
  run: string;
  sample: number;
  label: number;
  prediction: number;
}

export interface JudgeReport {
  judge: string;
  model: string;
  /**
   * The τ this judge was read at, one per distinct value over the runs: a step scored below it is
   * wrong (equal is not). Score judges' first errors are their first step below it; critics name
   * theirs, and τ only splits their steps for κ.
   */
  thresholds: number[];
  /** ProcessBench F1 of the judge's first errors against the human first errors. */
  processBench: ProcessBenchScore;
  /** The F1 inputs, one per labeled sample the judge judged. */
  pairs: FirstErrorPair[];
  /**
   * The same F1 against the dataset's own first-error labels (rows scored as they are), where the
   * files carry them: judge versus gold beside judge versus the people auditing here.
   */
  againstDataset: { processBench: ProcessBenchScore; pairs: FirstErrorPair[] };
  /**
   * The judge's step scores against your labels: a step before your first error is right, your
   * first error wrong, later steps left out; every step right where you found no error.
   */
  stepCalibration: Calibration;
  /**
   * Labeled samples this judge gave no judgement on (it failed, scored no step, or never ran): left
   * out of its F1 (n + unjudged = the labeled samples), as such samples are of Self-PRM precision
   * and of κ — never read as "no error".
   */
  unjudged: number;
}

export interface AgreementReport {
  runs: number;
  samples: number;
  labeledSamples: number;
  /** Samples that are a dataset row's own steps with the dataset's first-error label. */
  datasetLabeledSamples: number;
  ratedSteps: number;
  judges: JudgeReport[];
  selfPrecision: {
    /** Of the samples Self-PRM called error-free, the share a human also found error-free. */
    againstHumanLabels: PrecisionScore;
    /**
     * Of the samples Self-PRM called error-free, the share whose final answer matches the reference
     * (or, for a row scored as it is without a reference, the row's own final_answer_correct).
     */
    againstReference: PrecisionScore;
    /** Of the samples Self-PRM called error-free, the share the dataset's labels call error-free. */
    againstDatasetLabels: PrecisionScore;
  };
  /** Step-level agreement of self and each PRM (score ≥ its judge's τ as "right"), over every step both scored. */
  selfVersusPrm: (KappaScore & { prm: string })[];
  /** Where a person said who was right on a disagreement, per PRM. */
  whoWasRight: { judge: string; self: number; prm: number; both: number; neither: number }[];
  /** Everyone whose events were read, in the order first seen. */
  annotators: string[];
  /**
   * Samples whose label is an adjudication, and samples annotators disagree on that nobody
   * adjudicated yet: the contested ones have no label in any figure or export until settled.
   */
  adjudicatedSamples: number;
  contestedSamples: number;
  /**
   * Samples whose first-error mark and step ratings contradict each other, in words: left out of
   * both JSONL files and of every judge-versus-human figure here (labeledSamples, each judge's F1
   * pairs and calibration, selfPrecision.againstHumanLabels); ratedSteps, whoWasRight and
   * humanAgreement keep them, as steps.csv keeps their ratings.
   */
  contradictorySamples: { run: string; sample: number; conflict: string }[];
  /** The rows of each JSONL file, and the labelled samples prm800k.jsonl has no row for (exportedRows). */
  exported: {
    processBenchRows: number;
    prm800kRows: number;
    notInPrm800k: { run: string; sample: number }[];
  };
  /** Annotator versus annotator (Cohen's κ for two, Fleiss' κ for more); absent with one annotator. */
  humanAgreement?: HumanAgreement;
  /** Audit events read, and every line that could not be: labels behind those lines are missing here. */
  auditLines: {
    events: number;
    skipped: { run: string; file: string; line: number; reason: string }[];
  };
}

export function agreementReport(runs: readonly LabeledRun[]): AgreementReport {
  const prms = prmIds(runs);
  const judgeIds = new Map<string, string>();
  for (const { run } of runs) for (const judge of run.judges) judgeIds.set(judge.id, judge.model);
  const pairsByJudge = new Map<string, FirstErrorPair[]>();
  const stepScoresByJudge = new Map<string, { score: number; right: boolean }[]>();
  const datasetPairsByJudge = new Map<string, FirstErrorPair[]>();
  const selfVsDataset: { predicted: boolean; actual: boolean }[] = [];
  let datasetLabeledSamples = 0;
  const thresholds = new Map<string, Set<number>>();
  const unjudged = new Map<string, number>();
  const selfVsHuman: { predicted: boolean; actual: boolean }[] = [];
  const selfVsReference: { predicted: boolean; actual: boolean }[] = [];
  const kappaPairs = new Map<string, [boolean, boolean][]>(prms.map((id) => [id, []]));
  const who = new Map(prms.map((id) => [id, { judge: id, self: 0, prm: 0, both: 0, neither: 0 }]));
  let samples = 0;
  let labeledSamples = 0;
  let ratedSteps = 0;
  let adjudicatedSamples = 0;
  let contestedSamples = 0;
  const annotators: string[] = [];
  const annotated: AnnotatedRun[] = [];

  for (const { run, labels, annotation } of runs) {
    if (annotation) {
      annotated.push({ samples: run.samples, byAnnotator: annotation.byAnnotator });
      for (const who of annotation.byAnnotator.keys()) if (!annotators.includes(who)) annotators.push(who);
      for (const [index, source] of annotation.sources) {
        const sample = run.samples.find((entry) => entry.index === index);
        if (!sample || !isWholeSample(sample)) continue;
        if (source.kind === 'adjudicated') adjudicatedSamples += 1;
        if (source.kind === 'contested') contestedSamples += 1;
      }
    }
    for (const judge of run.judges) {
      const seen = thresholds.get(judge.id) ?? new Set<number>();
      seen.add(judgeThreshold(run.config, judge.id));
      thresholds.set(judge.id, seen);
    }
    for (const sample of run.samples) {
      if (!isWholeSample(sample)) continue;
      samples += 1;
      const sampleLabels = labels[sample.index];
      const human = contradicts(labels, sample.index) ? undefined : humanFirstError(sample, sampleLabels);
      ratedSteps += Object.values(sampleLabels?.steps ?? {}).filter(
        (step) => step.rating !== undefined,
      ).length;
      if (human !== undefined) labeledSamples += 1;
      const gold = datasetLabels(run.problem, sample);
      if (gold?.firstError !== undefined) datasetLabeledSamples += 1;
      for (const judge of run.judges) {
        if (human !== undefined && !verdictOf(run, judge.id, sample.judgements[judge.id]))
          unjudged.set(judge.id, (unjudged.get(judge.id) ?? 0) + 1);
      }
      for (const [judge, judgement] of Object.entries(sample.judgements)) {
        const verdict = verdictOf(run, judge, judgement);
        if (!verdict) continue;
        const pair = (label: number) => ({
          run: run.id,
          sample: sample.index,
          label,
          prediction: verdict.firstError,
        });
        if (human !== undefined) {
          pushTo(pairsByJudge, judge, pair(human));
          const last = human === -1 ? sample.steps.length - 1 : human;
          for (let step = 0; step <= last && step < verdict.stepScores.length; step++) {
            const score = verdict.stepScores[step];
            if (score !== null && score !== undefined)
              pushTo(stepScoresByJudge, judge, { score, right: step !== human });
          }
        }
        if (gold?.firstError !== undefined) pushTo(datasetPairsByJudge, judge, pair(gold.firstError));
      }
      const self = verdictOf(run, SELF_JUDGE_ID, sample.judgements[SELF_JUDGE_ID]);
      if (self) {
        const calledCorrect = self.firstError === -1;
        if (human !== undefined) selfVsHuman.push({ predicted: calledCorrect, actual: human === -1 });
        const reachedReference = sample.correct ?? gold?.finalAnswerCorrect;
        if (reachedReference !== undefined)
          selfVsReference.push({ predicted: calledCorrect, actual: reachedReference });
        if (gold?.firstError !== undefined)
          selfVsDataset.push({ predicted: calledCorrect, actual: gold.firstError === -1 });
        for (const prm of prms) {
          const other = verdictOf(run, prm, sample.judgements[prm]);
          if (!other) continue;
          sample.steps.forEach((_, step) => {
            const a = self.stepScores[step];
            const b = other.stepScores[step];
            if (a != null && b != null)
              kappaPairs.get(prm)!.push([a >= self.threshold, b >= other.threshold]);
          });
        }
      }
      for (const stepLabels of Object.values(sampleLabels?.steps ?? {})) {
        for (const [prm, value] of Object.entries(stepLabels.who ?? {})) {
          const tally = who.get(prm);
          if (tally) tally[value] += 1;
        }
      }
    }
  }

  const human = humanAgreement(annotated);
  return {
    runs: runs.length,
    samples,
    labeledSamples,
    datasetLabeledSamples,
    ratedSteps,
    judges: [...judgeIds].map(([judge, model]) => ({
      judge,
      model,
      thresholds: [...(thresholds.get(judge) ?? [])].sort((a, b) => a - b),
      processBench: processBenchF1(pairsByJudge.get(judge) ?? []),
      pairs: pairsByJudge.get(judge) ?? [],
      unjudged: unjudged.get(judge) ?? 0,
      againstDataset: {
        processBench: processBenchF1(datasetPairsByJudge.get(judge) ?? []),
        pairs: datasetPairsByJudge.get(judge) ?? [],
      },
      stepCalibration: calibration(stepScoresByJudge.get(judge) ?? []),
    })),
    selfPrecision: {
      againstHumanLabels: precision(selfVsHuman),
      againstReference: precision(selfVsReference),
      againstDatasetLabels: precision(selfVsDataset),
    },
    selfVersusPrm: prms.map((prm) => ({ prm, ...cohensKappa(kappaPairs.get(prm) ?? []) })),
    whoWasRight: [...who.values()],
    annotators,
    adjudicatedSamples,
    contestedSamples,
    contradictorySamples: contradictorySamples(runs),
    exported: exportedRows(runs),
    ...(human ? { humanAgreement: human } : {}),
    auditLines: {
      events: runs.reduce((sum, { audit }) => sum + (audit?.events ?? 0), 0),
      skipped: runs.flatMap(({ run, audit }) =>
        (audit?.skipped ?? []).map((entry) => ({ run: run.id, file: audit!.file, ...entry })),
      ),
    },
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);
const fixed = (value: number | null) => (value === null ? '—' : value.toFixed(3));

/** Says plainly, before any figure, that some labels could not be read. */
function skippedLinesSection(report: AgreementReport): string[] {
  const { skipped } = report.auditLines;
  if (skipped.length === 0) return [];
  return [
    `**${skipped.length} audit line(s) could not be read; the labels on them are not counted below.**`,
    '',
    '| run | file | line | why |',
    '|---|---|---|---|',
    ...skipped.map(
      (entry) =>
        `| ${markdownCell(entry.run)} | ${markdownCell(entry.file)} | ${entry.line} | ${markdownCell(entry.reason)} |`,
    ),
    '',
  ];
}

/**
 * What a contradictory sample still counts in, and why: these figures are of what was labelled (a
 * who-was-right label is its own, not the mark or a rating; the annotators' agreement is each
 * one's own labels, and leaving out the samples whose labels contradict would make it look better
 * than it was), not of one true label per sample.
 */
const KEPT_BY_CONTRADICTIONS =
  'The rated-step count, the who-was-right tallies and the annotator agreement keep them, as steps.csv keeps their ratings: those count what was labelled, not one true label per sample.';

/** Says plainly, before any figure, which samples' own labels contradict each other, and where they count. */
function contradictionsSection(report: AgreementReport): string[] {
  const found = report.contradictorySamples;
  if (found.length === 0) return [];
  return [
    `**${found.length} sample(s) have labels that contradict each other (the first-error mark against the step ratings): until the labels are fixed they are left out of processbench.jsonl, prm800k.jsonl and the figures against the human labels below (the count with a human first-error label, ProcessBench F1, calibration, Self-PRM precision against human labels).** ${KEPT_BY_CONTRADICTIONS}`,
    '',
    '| run | sample | contradiction |',
    '|---|---|---|',
    ...found.map(
      (entry) => `| ${markdownCell(entry.run)} | ${entry.sample} | ${markdownCell(entry.conflict)} |`,
    ),
    '',
  ];
}

/** What the two JSONL files hold, and why a labelled sample may be missing from prm800k.jsonl. */
function exportedSection(report: AgreementReport): string[] {
  const { processBenchRows: pb, prm800kRows: prm, notInPrm800k: missing } = report.exported;
  const lines = [
    `Exported: processbench.jsonl ${pb} row(s) (a sample with a human first-error label each), prm800k.jsonl ${prm} row(s) (a sample's ratings from step 0 on, up to its first unrated or −1 step).`,
  ];
  if (missing.length > 0)
    lines.push(
      '',
      `${missing.length} labelled sample(s) have no rating on step 0 and so no prm800k.jsonl row (rate from step 0 to give them one; processbench.jsonl takes their first-error marks): ${missing
        .slice(0, 20)
        .map((entry) => `${markdownCell(entry.run)} sample ${entry.sample}`)
        .join(', ')}${missing.length > 20 ? `, and ${missing.length - 20} more (report.json)` : ''}.`,
    );
  return [...lines, ''];
}

/** Who labelled, how labels were resolved, and how far the annotators agree with each other. */
function annotatorsSection(report: AgreementReport): string[] {
  if (report.annotators.length <= 1 && report.adjudicatedSamples === 0) return [];
  const lines = [
    '## Annotators',
    '',
    `Labels by ${report.annotators.map(markdownCell).join(', ')}. Each sample counts once: the one`,
    "annotator's label; where several labelled it, their label when they agree on every step both rated",
    'and on the first error; an adjudicated label where someone settled it. ' +
      `${report.adjudicatedSamples} sample(s) are adjudicated; **${report.contestedSamples} sample(s) are contested`,
    '(annotators disagree, nobody adjudicated) and are left out of every figure above and below until settled.**',
    '',
  ];
  const human = report.humanAgreement;
  if (!human) return lines;
  const method = human.stepRatings.method === 'cohen' ? "Cohen's κ" : "Fleiss' κ";
  lines.push(
    `### Annotator agreement (${method})`,
    '',
    '| on | items all labelled | agreement | κ | labelled by some, not all |',
    '|---|---|---|---|---|',
    `| step ratings (−1/0/+1) | ${human.stepRatings.n} | ${percent(human.stepRatings.agreement)} | ${fixed(human.stepRatings.kappa)} | ${human.stepRatings.partial} |`,
    `| first-error position | ${human.firstErrors.n} | ${percent(human.firstErrors.agreement)} | ${fixed(human.firstErrors.kappa)} | ${human.firstErrors.partial} |`,
    '',
  );
  if (human.pairs.length > 1) {
    lines.push(
      "Pairwise Cohen's κ over the items both labelled:",
      '',
      '| annotators | step ratings n | κ | first errors n | κ |',
      '|---|---|---|---|---|',
      ...human.pairs.map(
        (pair) =>
          `| ${markdownCell(pair.a)} – ${markdownCell(pair.b)} | ${pair.stepRatings.n} | ${fixed(pair.stepRatings.kappa)} | ${pair.firstErrors.n} | ${fixed(pair.firstErrors.kappa)} |`,
      ),
      '',
    );
  }
  lines.push(
    'Adjudications are not counted here: they settle disagreements, so they would inflate agreement.',
    'A first-error position is a category of its own for each step, and "no error" (−1) is one more.',
    '',
  );
  return lines;
}

/** Judge versus the dataset's own labels, beside judge versus the people auditing here. */
function datasetSection(report: AgreementReport): string[] {
  if (report.datasetLabeledSamples === 0) return [];
  return [
    "## ProcessBench F1 against the dataset's own labels",
    '',
    `${report.datasetLabeledSamples} sample(s) are dataset rows scored as they are, with the dataset's first-error label; the same rules as above.`,
    '',
    '| judge | model | n | no judgement | accuracy on erroneous | accuracy on correct | F1 |',
    '|---|---|---|---|---|---|---|',
    ...report.judges.map(({ judge, model, againstDataset: { processBench } }) => {
      const missing = report.datasetLabeledSamples - processBench.n;
      return `| ${markdownCell(judge)} | ${markdownCell(model)} | ${processBench.n} | ${missing} | ${percent(processBench.acc_erroneous)} | ${percent(processBench.acc_correct)} | ${percent(processBench.f1)} |`;
    }),
    '',
  ];
}

export function reportMarkdown(report: AgreementReport): string {
  const lines = [
    '# StepLens judge-agreement report',
    '',
    `${report.runs} run(s), ${report.samples} sample(s), ${report.labeledSamples} with a human first-error label, ${report.ratedSteps} rated step(s), from ${report.auditLines.events} audit event(s).`,
    '',
    ...skippedLinesSection(report),
    ...contradictionsSection(report),
    ...exportedSection(report),
    ...annotatorsSection(report),
    '## ProcessBench F1 against the human labels',
    '',
    '| judge | model | τ | n | no judgement | accuracy on erroneous | accuracy on correct | F1 |',
    '|---|---|---|---|---|---|---|---|',
    ...report.judges.map(
      (j) =>
        `| ${markdownCell(j.judge)} | ${markdownCell(j.model)} | ${j.thresholds.join(', ') || '—'} | ${j.processBench.n} | ${j.unjudged} | ${percent(j.processBench.acc_erroneous)} | ${percent(j.processBench.acc_correct)} | ${percent(j.processBench.f1)} |`,
    ),
    '',
    'τ per judge: a step scored below τ counts as wrong; a score equal to τ is not. A score judge',
    "(self-stepwise, vllm-pooling, rlhflow) names as first error its first step below τ; a critic's",
    'first error is the paragraph its critiques name, and τ only splits its step scores for κ.',
    '"no judgement": labeled samples the judge failed on or scored no step of (n + no judgement =',
    'the labeled samples); such samples are left out of its F1, of Self-PRM precision and of κ,',
    'never counted as "no error".',
    '',
    '## Step scores against the human labels (calibration)',
    '',
    '| judge | steps | ECE |',
    '|---|---|---|',
    ...report.judges.map(
      (j) => `| ${markdownCell(j.judge)} | ${j.stepCalibration.samples} | ${fixed(j.stepCalibration.ece)} |`,
    ),
    '',
    'A step before the human first error is right, the first error wrong, later steps left out; ten',
    'equal-width bins of the step score; ECE = Σ (n_b/N)·|share right_b − mean score_b|.',
    '',
    ...datasetSection(report),
    '## Self-PRM precision on the samples it called correct',
    '',
    '| against | called correct | really correct | precision |',
    '|---|---|---|---|',
    `| human labels | ${report.selfPrecision.againstHumanLabels.predictedPositive} | ${report.selfPrecision.againstHumanLabels.truePositive} | ${percent(report.selfPrecision.againstHumanLabels.precision)} |`,
    `| reference answer | ${report.selfPrecision.againstReference.predictedPositive} | ${report.selfPrecision.againstReference.truePositive} | ${percent(report.selfPrecision.againstReference.precision)} |`,
    ...(report.datasetLabeledSamples > 0
      ? [
          `| dataset labels | ${report.selfPrecision.againstDatasetLabels.predictedPositive} | ${report.selfPrecision.againstDatasetLabels.truePositive} | ${percent(report.selfPrecision.againstDatasetLabels.precision)} |`,
          '',
          "Reference answer: the run's reference check; for a dataset row scored as it is, the row's",
          "own final_answer_correct. Dataset labels: the dataset's first error (−1 = none).",
        ]
      : []),
    '',
    "## Self versus PRM, step by step (Cohen's κ)",
    '',
    '| PRM | steps | agreement | κ |',
    '|---|---|---|---|',
    ...report.selfVersusPrm.map(
      (k) => `| ${markdownCell(k.prm)} | ${k.n} | ${percent(k.agreement)} | ${fixed(k.kappa)} |`,
    ),
    '',
    '## Who was right where they disagreed',
    '',
    '| PRM | self | PRM | both | neither |',
    '|---|---|---|---|---|',
    ...report.whoWasRight.map(
      (w) => `| ${markdownCell(w.judge)} | ${w.self} | ${w.prm} | ${w.both} | ${w.neither} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export interface ExportFiles {
  'processbench.jsonl': string;
  'prm800k.jsonl': string;
  'steps.csv': string;
  'report.json': string;
  'report.md': string;
}

export function exportFiles(runs: readonly LabeledRun[]): ExportFiles {
  return exportWithReport(runs).files;
}

/** The export's files and the report they hold, for a caller that also tells what was exported. */
export function exportWithReport(runs: readonly LabeledRun[]): {
  files: ExportFiles;
  report: AgreementReport;
} {
  const jsonl = (rows: unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const report = agreementReport(runs);
  return {
    report,
    files: {
      'processbench.jsonl': jsonl(processBenchRows(runs)),
      'prm800k.jsonl': jsonl(prm800kRows(runs)),
      'steps.csv': stepsCsv(runs),
      'report.json': `${JSON.stringify(report, null, 2)}\n`,
      'report.md': reportMarkdown(report),
    },
  };
}
