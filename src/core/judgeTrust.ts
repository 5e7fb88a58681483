/**
 * How far a judge's "this solution is correct" can be trusted on a dataset run (the paper's
 * Table 5 shape), how calibrated its solution scores are against answer correctness, and how two
 * judges agree — all from the dataset index, no labels needed.
 *
 * - A judge calls a sample correct when its first error is −1 (at its τ); a sample it gave no
 *   verdict on is neither called correct nor counted against it (counted apart).
 * - Precision on a problem = S_TP / S_PRM: of the samples the judge called correct, the share whose
 *   answer is right. Hard problems: pass@1 (the share of usable samples that are right) at most the
 *   difficulty threshold (default 0.25). Overall precision pools the samples (Σ S_TP / Σ S_PRM).
 * - Difficulty buckets: pass@1 in fifths, [0, 0.2], (0.2, 0.4], …, (0.8, 1].
 * - Calibration: solution scores in ten equal-width bins; ECE = Σ_b (n_b / N)·|accuracy_b − mean score_b|.
 * - Agreement between two judges on the samples both gave a verdict on: Cohen's κ of their
 *   "called correct" calls, and where their first errors fall relative to each other.
 */
import type { DatasetIndex, DatasetProblem } from './dataset.js';
import { cohensKappa } from './metrics.js';

export const DEFAULT_DIFFICULTY = 0.25;

export interface ProblemPrecision {
  problemId: string;
  /** Usable samples and how many are right. */
  n: number;
  correctOfN: number;
  /** Samples the judge called correct, and of them the right ones. */
  sPrm: number;
  sTp: number;
  /** S_TP / S_PRM; null when it called none correct. */
  precision: number | null;
  /** Samples it gave no verdict on. */
  unjudged: number;
}

export interface PrecisionBucket {
  label: string;
  problems: number;
  sPrm: number;
  sTp: number;
  precision: number | null;
}

export interface JudgePrecision {
  difficulty: number;
  /** Hard problems (pass@1 ≤ difficulty), each with its figures. */
  problems: ProblemPrecision[];
  /** Over the hard problems, samples pooled; `unjudged`: their samples the judge gave no verdict on. */
  overall: { sPrm: number; sTp: number; precision: number | null; unjudged: number };
  /** Over every problem with a reference, by pass@1 in fifths. */
  buckets: PrecisionBucket[];
}

const usable = (problem: DatasetProblem) => problem.samples.filter((sample) => !sample.failed);
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function problemPrecision(problem: DatasetProblem, judge: string): ProblemPrecision {
  const samples = usable(problem);
  let sPrm = 0;
  let sTp = 0;
  let unjudged = 0;
  for (const sample of samples) {
    const verdict = sample.judges[judge];
    if (!verdict || verdict.failed || verdict.firstError === null) unjudged += 1;
    else if (verdict.firstError === -1) {
      sPrm += 1;
      if (sample.correct === true) sTp += 1;
    }
  }
  return {
    problemId: problem.id,
    n: samples.length,
    correctOfN: samples.filter((sample) => sample.correct === true).length,
    sPrm,
    sTp,
    precision: ratio(sTp, sPrm),
    unjudged,
  };
}

const BUCKETS = [0.2, 0.4, 0.6, 0.8, 1];

export function judgePrecision(
  index: Pick<DatasetIndex, 'problems'>,
  judge: string,
  difficulty = DEFAULT_DIFFICULTY,
): JudgePrecision {
  const rated = index.problems
    .filter((problem) => problem.reference !== null && usable(problem).length > 0)
    .map((problem) => problemPrecision(problem, judge));
  const hard = rated.filter((entry) => entry.correctOfN / entry.n <= difficulty);
  const pool = (entries: readonly ProblemPrecision[]) => {
    const sPrm = entries.reduce((sum, entry) => sum + entry.sPrm, 0);
    const sTp = entries.reduce((sum, entry) => sum + entry.sTp, 0);
    return { sPrm, sTp, precision: ratio(sTp, sPrm) };
  };
  const buckets = BUCKETS.map((upper, i) => {
    const lower = i === 0 ? -1 : BUCKETS[i - 1]!;
    const members = rated.filter((entry) => {
      const pass = entry.correctOfN / entry.n;
      return pass > lower && pass <= upper;
    });
    const from = i === 0 ? '[0' : `(${lower}`;
    return { label: `${from}, ${upper}]`, problems: members.length, ...pool(members) };
  });
  return {
    difficulty,
    problems: hard,
    overall: { ...pool(hard), unjudged: hard.reduce((sum, entry) => sum + entry.unjudged, 0) },
    buckets,
  };
}

export interface ReliabilityBin {
  /** Bin bounds on the score. */
  from: number;
  to: number;
  count: number;
  /** Mean score of the samples in the bin, and the share of them that are right; null when empty. */
  meanScore: number | null;
  accuracy: number | null;
}

export interface Calibration {
  /** Samples with a score and a known correctness. */
  samples: number;
  bins: ReliabilityBin[];
  /** Expected calibration error; null without samples. */
  ece: number | null;
}

/** Reliability of scores against outcomes, in `binCount` equal-width bins (a score of 1 goes in the last). */
export function calibration(pairs: readonly { score: number; right: boolean }[], binCount = 10): Calibration {
  const bins = Array.from({ length: binCount }, (_, i) => ({
    from: i / binCount,
    to: (i + 1) / binCount,
    sum: 0,
    hits: 0,
    count: 0,
  }));
  for (const { score, right } of pairs) {
    const bin = bins[Math.min(binCount - 1, Math.floor(score * binCount))]!;
    bin.count += 1;
    bin.sum += score;
    if (right) bin.hits += 1;
  }
  const total = pairs.length;
  let ece = 0;
  for (const bin of bins)
    if (bin.count > 0) ece += (bin.count / total) * Math.abs(bin.hits / bin.count - bin.sum / bin.count);
  return {
    samples: total,
    bins: bins.map((bin) => ({
      from: bin.from,
      to: bin.to,
      count: bin.count,
      meanScore: ratio(bin.sum, bin.count),
      accuracy: ratio(bin.hits, bin.count),
    })),
    ece: total === 0 ? null : ece,
  };
}

/** A judge's solution scores against answer correctness over a dataset (samples with both). */
export function solutionCalibration(index: Pick<DatasetIndex, 'problems'>, judge: string): Calibration {
  const pairs: { score: number; right: boolean }[] = [];
  for (const problem of index.problems)
    for (const sample of usable(problem)) {
      const score = sample.judges[judge]?.score;
      if (score !== null && score !== undefined && sample.correct !== undefined)
        pairs.push({ score, right: sample.correct });
    }
  return calibration(pairs);
}

export interface Agreement {
  a: string;
  b: string;
  /** Samples both judges gave a verdict on. */
  samples: number;
  /** Cohen's κ of their "called correct" calls; null when undefined (no samples, or both constant alike). */
  kappa: number | null;
  /** Where their first errors fall: the same step (or both none), A earlier, A later, one says none. */
  firstError: {
    same: number;
    aEarlier: number;
    aLater: number;
    onlyAFindsError: number;
    onlyBFindsError: number;
  };
}

export function judgeAgreement(index: Pick<DatasetIndex, 'problems'>, a: string, b: string): Agreement {
  const calls: [boolean, boolean][] = [];
  const firstError = { same: 0, aEarlier: 0, aLater: 0, onlyAFindsError: 0, onlyBFindsError: 0 };
  for (const problem of index.problems)
    for (const sample of usable(problem)) {
      const x = sample.judges[a]?.firstError;
      const y = sample.judges[b]?.firstError;
      if (x === null || x === undefined || y === null || y === undefined) continue;
      if (sample.judges[a]?.failed || sample.judges[b]?.failed) continue;
      calls.push([x === -1, y === -1]);
      if (x === y) firstError.same += 1;
      else if (y === -1) firstError.onlyAFindsError += 1;
      else if (x === -1) firstError.onlyBFindsError += 1;
      else if (x < y) firstError.aEarlier += 1;
      else firstError.aLater += 1;
    }
  return { a, b, samples: calls.length, kappa: cohensKappa(calls).kappa, firstError };
}
