/**
 * The dataset report (`DIR/report.json`, `report.md`): reranking accuracy against k, Self-PRM's
 * (and each PRM's) precision on hard problems, solution-score calibration and judge agreement —
 * from the dataset index alone, with the rules each figure follows written into the report.
 */
import { z } from 'zod';
import type { DatasetIndex } from './dataset.js';
import {
  type Agreement,
  type Calibration,
  DEFAULT_DIFFICULTY,
  type JudgePrecision,
  judgeAgreement,
  judgePrecision,
  solutionCalibration,
} from './judgeTrust.js';
import { SELF_JUDGE_ID } from './rerank.js';
import { DEFAULT_SUBSETS, type Reranking, rerankingCurves } from './rerankCurves.js';
import { JudgeInfoSchema } from './schemas.js';

export const REPORT_RULES = [
  'pass@k: the unbiased estimator 1 − C(n−c, k)/C(n, k), exact.',
  'Other methods: the mean over problems of each problem’s accuracy over R random size-k subsets of its samples (seeded), or over every subset when there are at most R; at k = k_max all samples, exact.',
  '± (stderr): the standard error over problems, sd of the per-problem accuracies / √P — how far the figure would move on another draw of problems like these. monteCarloStderr in report.json is the much smaller error of the subset sampling alone.',
  'Failed samples never vote: n counts a problem’s non-failed samples (how many failed is shown). Problems without a reference or without a usable sample are excluded and counted; StepLens does not count them as wrong.',
  'majority: the most common answer (equivalent answers grouped); a tie goes to the answer seen first in sample order. prm-best-of-n:<judge>: the highest solution score (aggregation min; :last and :product are the other aggregations); a tie goes to the lowest sample index. prm-weighted:<judge>: votes weighted by the min solution score. Samples a judge gave no verdict on are left out of its methods; with no verdict on any sample of a subset, the method falls back to plain majority.',
  'self-prm: majority among the samples Self-PRM calls error-free (first error −1), plain majority when it calls none so. self-prm-best: the sample with the highest self solution score (min aggregation), several sharing it vote by majority. oracle: any right sample in the subset.',
  'A score judge’s verdict is read at the τ shown, from its stored step scores; a step left unscored (past its input budget) before its first step below τ leaves no verdict — never "error-free".',
  'Precision: of the samples a judge calls correct (first error −1 at its τ), the share with a right answer, on problems whose pass@1 is at most the difficulty threshold; overall pools the samples. Samples without a verdict are counted apart (no verdict), never called correct. The default threshold (0.25) is StepLens’s: the paper’s Table 5 lists problems of its own choosing, some above it.',
  'Calibration: solution scores (the run’s aggregation) in ten equal-width bins against answer correctness; ECE = Σ (n_b/N)·|accuracy_b − mean score_b|.',
  'Paper reference points (report.html, where the dataset name matches one of the paper’s) are the paper’s single runs of k samples per problem; StepLens plots expected values over subsets, and draws the paper’s "BoN w/ Self-PRM" against self-prm.',
  'Agreement: Cohen’s κ of two judges’ "correct" calls on the samples both judged; first-error positions compared on the same samples.',
];

export interface DatasetReport {
  schemaVersion: 1;
  /** The dataset's name given with `--name` (it titles the page and picks the paper's numbers); absent: the folder's name. */
  name?: string;
  rules: string[];
  problems: number;
  samplesPerProblem: number;
  judges: DatasetIndex['judges'];
  thresholds: DatasetIndex['thresholds'];
  complete: boolean;
  /** Samples in the index, those whose sampling failed, and problems with fewer usable samples than k_max. */
  samples: { total: number; failed: number; problemsShort: number };
  /** Rows left out when the files were read (malformed, duplicate ids), each named. */
  excluded: string[];
  reranking: Reranking;
  /** Self-PRM's precision (absent without a Self-PRM judge). */
  selfPrecision?: JudgePrecision;
  /** Every judge's precision, Self-PRM's included. */
  precision: Record<string, JudgePrecision>;
  calibration: Record<string, Calibration>;
  agreement: Agreement[];
}

const Share = z.number().min(0).max(1);
const Count = z.number().int().min(0);
const CurveSchema = z.object({
  mean: z.array(Share),
  stderr: z.array(z.number().min(0)),
  monteCarloStderr: z.array(z.number().min(0)),
});
const JudgePrecisionSchema = z.object({
  difficulty: Share,
  problems: z.array(
    z.object({
      problemId: z.string(),
      n: Count,
      correctOfN: Count,
      sPrm: Count,
      sTp: Count,
      precision: Share.nullable(),
      unjudged: Count,
    }),
  ),
  overall: z.object({ sPrm: Count, sTp: Count, precision: Share.nullable(), unjudged: Count }),
  buckets: z.array(
    z.object({ label: z.string(), problems: Count, sPrm: Count, sTp: Count, precision: Share.nullable() }),
  ),
});
const CalibrationSchema = z.object({
  samples: Count,
  bins: z.array(
    z.object({
      from: Share,
      to: Share,
      count: Count,
      meanScore: Share.nullable(),
      accuracy: Share.nullable(),
    }),
  ),
  ece: Share.nullable(),
});

/** report.json of a dataset folder, as published in schemas/dataset-report.schema.json. */
export const DatasetReportSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string().min(1).optional(),
  rules: z.array(z.string()),
  problems: Count,
  samplesPerProblem: z.number().int().min(1),
  judges: z.array(JudgeInfoSchema),
  thresholds: z.record(z.string(), Share),
  complete: z.boolean(),
  samples: z.object({ total: Count, failed: Count, problemsShort: Count }),
  excluded: z.array(z.string()),
  reranking: z.object({
    k: z.array(z.number().int().min(1)),
    subsets: z.number().int().min(1),
    seed: Count,
    problems: Count,
    excluded: z.object({ noReference: Count, noUsableSample: Count }),
    methods: z.record(z.string(), CurveSchema),
  }),
  selfPrecision: JudgePrecisionSchema.optional(),
  precision: z.record(z.string(), JudgePrecisionSchema),
  calibration: z.record(z.string(), CalibrationSchema),
  agreement: z.array(
    z.object({
      a: z.string(),
      b: z.string(),
      samples: Count,
      kappa: z.number().min(-1).max(1).nullable(),
      firstError: z.object({
        same: Count,
        aEarlier: Count,
        aLater: Count,
        onlyAFindsError: Count,
        onlyBFindsError: Count,
      }),
    }),
  ),
});

// The published schema and the type the code builds must not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const reportTypesAgree: Same<z.infer<typeof DatasetReportSchema>, DatasetReport> = true;
void reportTypesAgree;

export interface ReportOptions {
  /** The dataset's name (`--name`), stored in the report. */
  name?: string;
  subsets?: number;
  seed?: number;
  difficulty?: number;
}

export function datasetReport(index: DatasetIndex, options: ReportOptions = {}): DatasetReport {
  const difficulty = options.difficulty ?? DEFAULT_DIFFICULTY;
  const ids = index.judges.map((judge) => judge.id);
  const precision = Object.fromEntries(ids.map((id) => [id, judgePrecision(index, id, difficulty)]));
  const agreement: Agreement[] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) agreement.push(judgeAgreement(index, ids[i]!, ids[j]!));
  return {
    schemaVersion: 1,
    ...(options.name !== undefined ? { name: options.name } : {}),
    rules: REPORT_RULES,
    problems: index.problems.length,
    samplesPerProblem: index.samplesPerProblem,
    judges: index.judges,
    thresholds: index.thresholds,
    complete: index.complete,
    samples: sampleCounts(index),
    excluded: index.excluded,
    reranking: rerankingCurves(index, {
      subsets: options.subsets ?? DEFAULT_SUBSETS,
      seed: options.seed ?? 0,
    }),
    ...(precision[SELF_JUDGE_ID] ? { selfPrecision: precision[SELF_JUDGE_ID] } : {}),
    precision,
    calibration: Object.fromEntries(ids.map((id) => [id, solutionCalibration(index, id)])),
    agreement,
  };
}

/**
 * A dataset's samples: in all, failed, and problems with a failed one or with fewer usable samples
 * than k. Shared by the report and the Datasets view's failure counts.
 */
export function countSamples(index: Pick<DatasetIndex, 'problems' | 'samplesPerProblem'>): {
  total: number;
  failed: number;
  problemsShort: number;
  problemsWithFailures: number;
} {
  let total = 0;
  let failed = 0;
  let problemsShort = 0;
  let problemsWithFailures = 0;
  for (const problem of index.problems) {
    const broken = problem.samples.filter((sample) => sample.failed).length;
    total += problem.samples.length;
    failed += broken;
    if (broken > 0) problemsWithFailures += 1;
    if (problem.samples.length - broken < index.samplesPerProblem) problemsShort += 1;
  }
  return { total, failed, problemsShort, problemsWithFailures };
}

function sampleCounts(index: DatasetIndex): DatasetReport['samples'] {
  const { total, failed, problemsShort } = countSamples(index);
  return { total, failed, problemsShort };
}

/**
 * Why the figures that need right and wrong answers (accuracy, precision) have no data — no problem
 * counted — in words; null when they have some. An empty chart or a table of zeros would read as
 * "every method is always wrong".
 */
export function accuracyNoData(report: DatasetReport): string | null {
  const { problems, excluded } = report.reranking;
  if (problems > 0) return null;
  if (report.problems === 0) return 'the run has no problem yet';
  if (excluded.noReference === report.problems)
    return `no problem has a reference answer (${report.problems} without one) to tell a right answer from a wrong one`;
  if (excluded.noUsableSample === report.problems)
    return `no problem has a usable sample (every sample of all ${report.problems} failed)`;
  return `${excluded.noReference} problem(s) have no reference answer and ${excluded.noUsableSample} no usable sample`;
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : (value * 100).toFixed(1);

/** The report as Markdown: the tables a paper would print, then the rules. */
export function datasetReportMarkdown(report: DatasetReport, cell: (text: string) => string): string {
  const { reranking } = report;
  const lines = [
    `# StepLens dataset report${report.name !== undefined ? `: ${cell(report.name)}` : ''}`,
    '',
    `${report.problems} problem(s) × ${report.samplesPerProblem} samples (${report.samples.failed} of ${report.samples.total} samples failed; ${report.samples.problemsShort} problem(s) with fewer usable samples than k; ${report.excluded.length} row(s) excluded when read${report.excluded.length > 0 ? ': see report.json' : ''}); judges: ${report.judges.map((judge) => `${cell(judge.id)} (${cell(judge.model)}, τ ${report.thresholds[judge.id] ?? '—'})`).join(', ')}.${report.complete ? '' : ' **Partial: the run has not finished.**'}`,
    '',
    `## Accuracy against k (%), R = ${reranking.subsets} subsets, seed ${reranking.seed}`,
    '',
    `${reranking.problems} problem(s) in the figures; excluded: ${reranking.excluded.noReference} without a reference, ${reranking.excluded.noUsableSample} without a usable sample.`,
    '',
  ];
  const noData = accuracyNoData(report);
  if (noData !== null) lines.push(`**No data:** ${noData}.`, '');
  else
    lines.push(
      `| method | ${reranking.k.map((k) => `k=${k}`).join(' | ')} |`,
      `|---|${reranking.k.map(() => '---|').join('')}`,
      ...Object.entries(reranking.methods).map(
        ([name, curve]) =>
          `| ${cell(name)} | ${curve.mean.map((value, i) => `${percent(value)}${curve.stderr[i] ? ` ± ${percent(curve.stderr[i])}` : ''}`).join(' | ')} |`,
      ),
      '',
    );
  for (const [judge, figures] of Object.entries(report.precision)) {
    lines.push(
      `## ${cell(judge)}: precision of "correct" on hard problems (pass@1 ≤ ${percent(figures.difficulty)} %)`,
      '',
      `Overall: ${figures.overall.sTp} of ${figures.overall.sPrm} samples called correct are right (${percent(figures.overall.precision)} %); ${figures.overall.unjudged} sample(s) had no verdict.`,
      '',
    );
    if (figures.problems.length > 0) {
      lines.push(
        '| problem | right of n | called correct (S_PRM) | right among them (S_TP) | precision |',
        '|---|---|---|---|---|',
      );
      for (const entry of figures.problems)
        lines.push(
          `| ${cell(entry.problemId)} | ${entry.correctOfN} of ${entry.n} | ${entry.sPrm} | ${entry.sTp} | ${percent(entry.precision)} |`,
        );
      lines.push('');
    }
    lines.push('| pass@1 | problems | S_PRM | S_TP | precision |', '|---|---|---|---|---|');
    for (const bucket of figures.buckets)
      lines.push(
        `| ${bucket.label} | ${bucket.problems} | ${bucket.sPrm} | ${bucket.sTp} | ${percent(bucket.precision)} |`,
      );
    lines.push('');
  }
  lines.push(
    '## Calibration of solution scores against answer correctness',
    '',
    '| judge | samples | ECE |',
    '|---|---|---|',
  );
  for (const [judge, result] of Object.entries(report.calibration))
    lines.push(
      `| ${cell(judge)} | ${result.samples} | ${result.ece === null ? '—' : result.ece.toFixed(3)} |`,
    );
  lines.push('');
  if (report.agreement.length > 0) {
    lines.push(
      '## Agreement between judges',
      '',
      '| judges | samples | κ | same first error | A earlier | A later | only A finds an error | only B finds one |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const pair of report.agreement)
      lines.push(
        `| ${cell(pair.a)} / ${cell(pair.b)} | ${pair.samples} | ${pair.kappa === null ? '—' : pair.kappa.toFixed(3)} | ${pair.firstError.same} | ${pair.firstError.aEarlier} | ${pair.firstError.aLater} | ${pair.firstError.onlyAFindsError} | ${pair.firstError.onlyBFindsError} |`,
      );
    lines.push('');
  }
  lines.push('Rules:', '', ...report.rules.map((rule) => `- ${rule}`), '');
  return lines.join('\n');
}
