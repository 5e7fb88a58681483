/**
 * Judging a step-labelled dataset the way ProcessBench does (`steplens evaluate`): per row, each
 * judge's first-error prediction on the row's own steps; per judge and subset, error accuracy,
 * correct accuracy and F1 by the published rules (src/core/processbench.ts); the paper's average;
 * and for score judges the τ that maximises F1 on one subset, applied to the others.
 */
import { isScoreJudge, judgeThreshold } from './judgements.js';
import { type Calibration, calibration } from './judgeTrust.js';
import {
  averageF1,
  bestThreshold,
  firstStepBelow,
  type ScoredRow,
  type SubsetScore,
  scoreAt,
  subsetScore,
} from './processbench.js';
import type { JudgeInfo, Run } from './schemas.js';

export interface JudgeOutcome {
  /** The judge's first error; null when it gave none (a miss). */
  prediction: number | null;
  /** The judge failed on this row (its request failed, or it scored nothing): a miss, counted. */
  failed: boolean;
  /** The step scores (score judges: for the τ search; every judge: for step calibration). */
  stepScores?: (number | null)[];
}

export interface RowResult {
  id: string;
  subset: string;
  label: number;
  judges: Record<string, JudgeOutcome>;
}

/**
 * What one judge made of a row scored as it is (the run's one sample is the row's own steps), read
 * at τ. Score judges: the first step below τ, no prediction when a step before it went unscored.
 * The processbench protocol's critics: their prediction as extracted, also an index no step has.
 * Other critics: the index they named. Only a failed judgement (request failed or nothing scored,
 * outside the processbench protocol's own "no prediction") counts as failed.
 */
export function judgeOutcome(run: Run, judge: JudgeInfo, threshold: number): JudgeOutcome {
  const judgement = run.samples[0]?.judgements[judge.id];
  if (judgement?.prediction !== undefined)
    return {
      prediction: judgement.prediction,
      failed: false,
      ...(judgement.error === undefined ? { stepScores: [...judgement.stepScores] } : {}),
    };
  if (!judgement || judgement.error !== undefined) return { prediction: null, failed: true };
  if (isScoreJudge(judge.kind))
    return {
      prediction: firstStepBelow(judgement.stepScores, threshold),
      failed: false,
      stepScores: [...judgement.stepScores],
    };
  return { prediction: judgement.firstError, failed: false, stepScores: [...judgement.stepScores] };
}

/**
 * Step scores against the row labels: a step before the first error is right, the first error is
 * wrong, steps after it are left out (the labels say nothing about them); a row without an error
 * makes every step right. Unscored steps and failed judgements are left out.
 */
export function stepCalibration(rows: readonly RowResult[], judge: string): Calibration {
  const pairs: { score: number; right: boolean }[] = [];
  for (const row of rows) {
    const outcome = row.judges[judge];
    if (!outcome || outcome.failed || !outcome.stepScores) continue;
    const last = row.label === -1 ? outcome.stepScores.length - 1 : row.label;
    for (let step = 0; step <= last && step < outcome.stepScores.length; step++) {
      const score = outcome.stepScores[step];
      if (score !== null && score !== undefined) pairs.push({ score, right: step !== row.label });
    }
  }
  return calibration(pairs);
}

export interface BestThreshold {
  /** The subset τ was chosen on. */
  subset: string;
  threshold: number;
  /** F1 on that subset at that τ, then on every other subset at the same τ. */
  f1: Record<string, number | null>;
}

export interface JudgeEvaluation {
  model: string;
  kind: JudgeInfo['kind'];
  /** τ the main table reads score judges at (a step scored below it is wrong). */
  threshold: number;
  subsets: Record<string, SubsetScore>;
  average: { f1: number | null };
  /** Score judges, when the chosen subset is present: ProcessBench's τ picked on one subset. */
  bestThreshold?: BestThreshold;
  /** Step scores against the row labels (reliability bins, ECE). */
  stepCalibration: Calibration;
}

export interface EvaluationReport {
  protocol: string;
  /** How the figures are defined, in words, so a reader can compare them with a paper's. */
  rules: string[];
  rows: number;
  subsets: Record<string, number>;
  judgeEvaluation: Record<string, JudgeEvaluation>;
}

export const EVALUATION_RULES = [
  'Per subset: errorAccuracy = share of rows with label ≠ −1 whose exact first error was predicted; correctAccuracy = share of rows with label −1 predicted −1; f1 = their harmonic mean (ProcessBench).',
  'A row with no prediction, a failed request, or an index beyond the last step is a miss and stays in the denominator; failed counts the rows where the judge failed (its request failed, or under the steplens protocol no critique named a step), noPrediction those where it answered without a prediction.',
  'average.f1 is the plain mean of the subsets’ F1, as the paper’s average column; null when a subset has no F1.',
  'Score judges (PRMs): a step is wrong when its score is below τ (a score equal to τ is not); the first wrong step is the prediction.',
  'Step calibration: each judge’s step scores against the labels — a step before the first error is right, the first error wrong, later steps left out — in ten equal-width bins; ECE = Σ (n_b/N)·|accuracy_b − mean score_b|.',
];

export function evaluationReport(
  rows: readonly RowResult[],
  context: { protocol: string; judges: readonly JudgeInfo[]; config: Run['config']; tauSubset?: string },
): EvaluationReport {
  const subsets = new Map<string, RowResult[]>();
  for (const row of rows) {
    const list = subsets.get(row.subset);
    if (list) list.push(row);
    else subsets.set(row.subset, [row]);
  }
  const names = [...subsets.keys()].sort();
  const judgeEvaluation: Record<string, JudgeEvaluation> = {};
  for (const judge of context.judges) {
    const outcome = (row: RowResult): JudgeOutcome =>
      row.judges[judge.id] ?? { prediction: null, failed: true };
    const perSubset: Record<string, SubsetScore> = {};
    for (const name of names) {
      perSubset[name] = subsetScore(
        subsets.get(name)!.map((row) => {
          const { prediction, failed } = outcome(row);
          return { label: row.label, prediction, ...(failed ? { failed } : {}) };
        }),
      );
    }
    const evaluation: JudgeEvaluation = {
      model: judge.model,
      kind: judge.kind,
      threshold: judgeThreshold(context.config, judge.id),
      subsets: perSubset,
      average: { f1: averageF1(names.map((name) => perSubset[name]!)) },
      stepCalibration: stepCalibration(rows, judge.id),
    };
    const tauSubset = context.tauSubset;
    if (isScoreJudge(judge.kind) && tauSubset !== undefined && subsets.has(tauSubset)) {
      const scored = (name: string): ScoredRow[] =>
        subsets.get(name)!.map((row) => {
          const { stepScores, failed } = outcome(row);
          return {
            label: row.label,
            stepScores: stepScores ?? [],
            ...(failed || !stepScores ? { failed: true } : {}),
          };
        });
      const best = bestThreshold(scored(tauSubset));
      if (best) {
        const f1: Record<string, number | null> = { [tauSubset]: best.score.f1 };
        for (const name of names) if (name !== tauSubset) f1[name] = scoreAt(scored(name), best.threshold).f1;
        evaluation.bestThreshold = { subset: tauSubset, threshold: best.threshold, f1 };
      }
    }
    judgeEvaluation[judge.id] = evaluation;
  }
  return {
    protocol: context.protocol,
    rules: EVALUATION_RULES,
    rows: rows.length,
    subsets: Object.fromEntries(names.map((name) => [name, subsets.get(name)!.length])),
    judgeEvaluation,
  };
}

const percent = (value: number | null) => (value === null ? '—' : (value * 100).toFixed(1));

/** The table as the papers print it: one row per judge, F1 per subset in percent, then the average. */
export function evaluationMarkdown(report: EvaluationReport, cell: (text: string) => string): string {
  const subsets = Object.keys(report.subsets);
  const judges = Object.entries(report.judgeEvaluation);
  const lines = [
    '# StepLens judge evaluation (ProcessBench F1)',
    '',
    `${report.rows} row(s) in ${subsets.length} subset(s): ${subsets.map((name) => `${cell(name)} ${report.subsets[name]}`).join(', ')}. Protocol: ${cell(report.protocol)}.`,
    '',
    `| judge | model | ${subsets.map(cell).join(' | ')} | average |`,
    `|---|---|${subsets.map(() => '---|').join('')}---|`,
    ...judges.map(
      ([id, judge]) =>
        `| ${cell(id)} | ${cell(judge.model)} | ${subsets.map((name) => percent(judge.subsets[name]!.f1)).join(' | ')} | ${percent(judge.average.f1)} |`,
    ),
    '',
    '## Error and correct accuracy, failures',
    '',
    '| judge | subset | n | error accuracy | correct accuracy | F1 | failed | no prediction |',
    '|---|---|---|---|---|---|---|---|',
    ...judges.flatMap(([id, judge]) =>
      subsets.map((name) => {
        const score = judge.subsets[name]!;
        return `| ${cell(id)} | ${cell(name)} | ${score.n} | ${percent(score.errorAccuracy)} | ${percent(score.correctAccuracy)} | ${percent(score.f1)} | ${score.failed} | ${score.noPrediction} |`;
      }),
    ),
    '',
  ];
  const tuned = judges.filter(([, judge]) => judge.bestThreshold);
  if (tuned.length > 0) {
    lines.push('## τ chosen on one subset (ProcessBench picks it on GSM8K)', '');
    lines.push(`| judge | run τ | best τ | chosen on | ${subsets.map(cell).join(' | ')} |`);
    lines.push(`|---|---|---|---|${subsets.map(() => '---|').join('')}`);
    for (const [id, judge] of tuned) {
      const best = judge.bestThreshold!;
      lines.push(
        `| ${cell(id)} | ${judge.threshold} | ${Math.round(best.threshold * 1000) / 1000} | ${cell(best.subset)} | ${subsets.map((name) => percent(best.f1[name] ?? null)).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Step calibration against the labels', '', '| judge | steps | ECE |', '|---|---|---|');
  for (const [id, judge] of judges)
    lines.push(
      `| ${cell(id)} | ${judge.stepCalibration.samples} | ${judge.stepCalibration.ece === null ? '—' : judge.stepCalibration.ece.toFixed(3)} |`,
    );
  lines.push('', 'Rules:', '', ...report.rules.map((rule) => `- ${rule}`), '');
  return lines.join('\n');
}
