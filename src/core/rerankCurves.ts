/**
 * Reranking accuracy against k from one dataset run with k_max samples per problem (the paper's
 * Table 4 shape): for k = 1, 2, 4, …, k_max the expected accuracy over problems of pass@k (exact,
 * unbiased), majority vote, PRM best-of-k and score-weighted vote per judge, Self-PRM, and oracle,
 * each estimated over R random size-k subsets per problem (seeded), or over every subset when there
 * are at most R of them (then exact).
 *
 * Rules, as the report states them:
 * - failed samples never vote: a problem's n counts its non-failed samples; a subset never holds
 *   more than n samples, so at k ≥ n every sample is used and the value is exact;
 * - problems without a reference, or without a usable sample, are excluded and counted;
 * - answers are grouped once per problem into equivalence classes (first appearance in sample
 *   order); majority and Self-PRM ties go to the answer seen first in sample order within the
 *   subset; PRM best-of-k ties go to the lowest sample index;
 * - a judge gave no verdict on a sample (failed, nothing scored): its methods leave the sample out.
 */
import type { Aggregation } from './config.js';
import type { DatasetIndex, DatasetProblem } from './dataset.js';
import { groupAnswers } from './vote.js';

export const DEFAULT_SUBSETS = 100;

/** A problem prepared once: answer classes and each judge's view of each usable sample. */
export interface PreparedProblem {
  id: string;
  /** Usable (non-failed) samples. */
  n: number;
  /** Of them, correct. */
  c: number;
  /** Per usable sample: its answer class, −1 for no answer. */
  classOf: Int32Array;
  /** Per class: whether its answer is right (its first member's correctness). */
  classRight: boolean[];
  right: boolean[];
  /** Per judge: per usable sample its score (NaN: no verdict) and whether it called it error-free. */
  judges: Record<string, { score: Record<Aggregation, Float64Array>; errorFree: Int8Array }>;
}

const AGGREGATION_KEYS: readonly Aggregation[] = ['min', 'product', 'last', 'mean'];

export function prepareProblem(problem: DatasetProblem, judgeIds: readonly string[]): PreparedProblem | null {
  if (problem.reference === null) return null;
  const usable = problem.samples.filter((sample) => !sample.failed).sort((a, b) => a.index - b.index);
  if (usable.length === 0) return null;
  // Equal strings are one answer: grouping the distinct ones (in first-seen order) gives the same
  // classes as grouping every sample, with far fewer equivalence checks.
  const distinct = [...new Set(usable.map((sample) => sample.answer).filter((answer) => answer !== null))];
  const groups = groupAnswers(distinct);
  const classOfAnswer = new Map<string, number>();
  groups.forEach((group, id) => {
    for (const member of group.members) classOfAnswer.set(distinct[member]!, id);
  });
  const classOf = Int32Array.from(usable, (sample) =>
    sample.answer === null ? -1 : (classOfAnswer.get(sample.answer) ?? -1),
  );
  const right = usable.map((sample) => sample.correct === true);
  const judges: PreparedProblem['judges'] = {};
  for (const id of judgeIds) {
    const score = Object.fromEntries(
      AGGREGATION_KEYS.map((method) => [
        method,
        Float64Array.from(usable, (sample) => {
          const judge = sample.judges[id];
          if (!judge || judge.failed || judge.firstError === null) return Number.NaN;
          return (
            judge.byAggregation?.[method] ?? (method === 'min' ? (judge.score ?? Number.NaN) : Number.NaN)
          );
        }),
      ]),
    ) as Record<Aggregation, Float64Array>;
    // 1: called error-free, 0: an error found, −1: no verdict.
    const errorFree = Int8Array.from(usable, (sample) => {
      const judge = sample.judges[id];
      if (!judge || judge.failed || judge.firstError === null) return -1;
      return judge.firstError === -1 ? 1 : 0;
    });
    judges[id] = { score, errorFree };
  }
  return {
    id: problem.id,
    n: usable.length,
    c: right.filter(Boolean).length,
    classOf,
    // A class is as right as its first member (equivalent answers are right or wrong together).
    classRight: groups.map((_, id) => right[classOf.indexOf(id)] === true),
    right,
    judges,
  };
}

/** pass@k = 1 − C(n−c, k)/C(n, k), exact (Chen et al.'s unbiased estimator); k ≥ n gives c > 0. */
export function passAtK(n: number, c: number, k: number): number {
  if (c === 0) return 0;
  if (n - c < k) return 1;
  let missAll = 1;
  for (let i = n - c + 1; i <= n; i++) missAll *= 1 - k / i;
  return 1 - missAll;
}

/** Per-class tallies reused across votes: the estimate runs millions of them. */
let tally = new Float64Array(64);
let seen = new Int32Array(64);

/** The majority class of the given samples (weighted or not); ties to the first seen; −1 when none. */
function voteClass(problem: PreparedProblem, members: readonly number[], weights?: Float64Array): number {
  if (tally.length < problem.classRight.length) {
    tally = new Float64Array(problem.classRight.length);
    seen = new Int32Array(problem.classRight.length);
  }
  // Classes in order of first appearance in `members` (ascending sample order): ties stay first.
  let classes = 0;
  for (const member of members) {
    const answerClass = problem.classOf[member]!;
    if (answerClass === -1) continue;
    if (tally[answerClass] === 0 && !isSeen(answerClass, classes)) seen[classes++] = answerClass;
    tally[answerClass]! += weights ? weights[member]! : 1;
  }
  let best = -1;
  let bestWeight = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < classes; i++) {
    const answerClass = seen[i]!;
    if (tally[answerClass]! > bestWeight) {
      best = answerClass;
      bestWeight = tally[answerClass]!;
    }
    tally[answerClass] = 0;
  }
  return best;
}

/** A class with weight 0 so far (a zero score) may already be listed. */
function isSeen(answerClass: number, classes: number): boolean {
  for (let i = 0; i < classes; i++) if (seen[i] === answerClass) return true;
  return false;
}

const classIsRight = (problem: PreparedProblem, answerClass: number) =>
  answerClass !== -1 && problem.classRight[answerClass] === true;

/** A reranker: from a subset (usable-sample positions, ascending) to whether its pick is right. */
export type Method = (problem: PreparedProblem, subset: readonly number[]) => boolean;

export const majority: Method = (problem, subset) => classIsRight(problem, voteClass(problem, subset));

export const oracle: Method = (problem, subset) => subset.some((member) => problem.right[member]);

/**
 * Highest solution score among the samples the judge gave a verdict on; ties to the lowest index.
 * No verdict on any sample of the subset: plain majority (the judge abstains, as Self-PRM does).
 */
export function bestOfK(judge: string, aggregation: Aggregation): Method {
  return (problem, subset) => {
    const scores = problem.judges[judge]?.score[aggregation];
    let best = -1;
    if (scores)
      for (const member of subset) {
        const score = scores[member]!;
        if (!Number.isNaN(score) && (best === -1 || score > scores[best]!)) best = member;
      }
    return best === -1 ? majority(problem, subset) : problem.right[best] === true;
  };
}

/** Vote weighted by solution score among the samples the judge gave a verdict on; none: plain majority. */
export function weightedVote(judge: string): Method {
  return (problem, subset) => {
    const scores = problem.judges[judge]?.score.min;
    const judged = scores ? subset.filter((member) => !Number.isNaN(scores[member]!)) : [];
    const pick = judged.length > 0 ? voteClass(problem, judged, scores) : -1;
    return pick === -1 ? majority(problem, subset) : classIsRight(problem, pick);
  };
}

/**
 * Majority among the samples the model called error-free; plain majority when it called none so
 * (or none of those has an answer).
 */
export function selfPrm(judge: string): Method {
  return (problem, subset) => {
    const calls = problem.judges[judge]?.errorFree;
    const trusted = calls ? subset.filter((member) => calls[member] === 1) : [];
    const pick = trusted.length > 0 ? voteClass(problem, trusted) : -1;
    return pick === -1 ? majority(problem, subset) : classIsRight(problem, pick);
  };
}

/**
 * The sample with the highest self solution score; when several share it, the majority among
 * them (ties to the first seen); no judged sample: plain majority.
 */
export function selfPrmBest(judge: string): Method {
  return (problem, subset) => {
    const scores = problem.judges[judge]?.score.min;
    let top = Number.NEGATIVE_INFINITY;
    if (scores) for (const member of subset) if (scores[member]! > top) top = scores[member]!;
    const best =
      scores && top > Number.NEGATIVE_INFINITY ? subset.filter((member) => scores[member] === top) : [];
    return classIsRight(problem, voteClass(problem, best.length > 0 ? best : subset));
  };
}

/** The methods a dataset's judges allow, by report name. */
export function methodsFor(judges: readonly { id: string }[]): Record<string, Method> {
  const methods: Record<string, Method> = { majority };
  for (const { id } of judges) {
    if (id === 'self') {
      methods['self-prm'] = selfPrm(id);
      methods['self-prm-best'] = selfPrmBest(id);
      continue;
    }
    methods[`prm-best-of-n:${id}`] = bestOfK(id, 'min');
    methods[`prm-best-of-n:${id}:last`] = bestOfK(id, 'last');
    methods[`prm-best-of-n:${id}:product`] = bestOfK(id, 'product');
    methods[`prm-weighted:${id}`] = weightedVote(id);
  }
  methods.oracle = oracle;
  return methods;
}

/** 1, 2, 4, … below k_max, then k_max. */
export function kValues(kMax: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < kMax; k *= 2) ks.push(k);
  ks.push(kMax);
  return ks;
}

/** A small fast seeded generator (mulberry32): the same seed gives the same subsets everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a text: a problem's subsets depend on its id and k, not on its place in the file. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/** Every size-k subset of 0…n−1, ascending, in lexicographic order. */
function* allSubsets(n: number, k: number): Generator<number[]> {
  const subset = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...subset];
    let i = k - 1;
    while (i >= 0 && subset[i] === n - k + i) i--;
    if (i < 0) return;
    subset[i]! += 1;
    for (let j = i + 1; j < k; j++) subset[j] = subset[j - 1]! + 1;
  }
}

/** The subsets a problem is scored on at k: all of them when at most R, else R random ones. */
export function subsetsFor(problem: PreparedProblem, k: number, rounds: number, seed: number): number[][] {
  const size = Math.min(k, problem.n);
  if (binomial(problem.n, size) <= rounds) return [...allSubsets(problem.n, size)];
  const random = seededRandom(hash(`${seed}:${problem.id}:${k}`));
  const pool = Array.from({ length: problem.n }, (_, i) => i);
  return Array.from({ length: rounds }, () => {
    // A partial Fisher–Yates shuffle draws `size` without replacement.
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(random() * (problem.n - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, size).sort((a, b) => a - b);
  });
}

export interface Curve {
  mean: number[];
  /**
   * Standard error of the mean over problems (sd of the per-problem accuracies / √P): how much the
   * figure would move on another draw of problems like these. 0 with fewer than two problems.
   */
  stderr: number[];
  /** Monte Carlo standard error from the subset sampling alone (0 where every subset was used). */
  monteCarloStderr: number[];
}

export interface Reranking {
  k: number[];
  /** Subsets per problem and k (R) and the seed they were drawn with. */
  subsets: number;
  seed: number;
  /** Problems in the figures, and those left out with why. */
  problems: number;
  excluded: { noReference: number; noUsableSample: number };
  methods: Record<string, Curve>;
}

export function rerankingCurves(
  index: Pick<DatasetIndex, 'samplesPerProblem' | 'judges' | 'problems'>,
  options: { subsets?: number; seed?: number } = {},
): Reranking {
  const rounds = options.subsets ?? DEFAULT_SUBSETS;
  const seed = options.seed ?? 0;
  const judgeIds = index.judges.map((judge) => judge.id);
  const prepared: PreparedProblem[] = [];
  const excluded = { noReference: 0, noUsableSample: 0 };
  for (const problem of index.problems) {
    const ready = prepareProblem(problem, judgeIds);
    if (ready) prepared.push(ready);
    else if (problem.reference === null) excluded.noReference += 1;
    else excluded.noUsableSample += 1;
  }
  const ks = kValues(index.samplesPerProblem);
  const methods = methodsFor(index.judges);
  const curves: Record<string, Curve> = {
    'pass@k': {
      mean: ks.map((k) => mean(passRates(prepared, k))),
      stderr: ks.map((k) => standardError(passRates(prepared, k))),
      monteCarloStderr: ks.map(() => 0),
    },
  };
  for (const name of Object.keys(methods)) curves[name] = { mean: [], stderr: [], monteCarloStderr: [] };
  for (const k of ks) {
    const sums = Object.fromEntries(
      Object.keys(methods).map((name) => [name, { rates: [] as number[], variance: 0 }]),
    );
    for (const problem of prepared) {
      const subsets = subsetsFor(problem, k, rounds, seed);
      const exact = binomial(problem.n, Math.min(k, problem.n)) <= rounds;
      for (const [name, method] of Object.entries(methods)) {
        let hits = 0;
        for (const subset of subsets) if (method(problem, subset)) hits += 1;
        const rate = hits / subsets.length;
        sums[name]!.rates.push(rate);
        if (!exact && subsets.length > 1) sums[name]!.variance += (rate * (1 - rate)) / (subsets.length - 1);
      }
    }
    for (const name of Object.keys(methods)) {
      const count = prepared.length;
      curves[name]!.mean.push(mean(sums[name]!.rates));
      curves[name]!.stderr.push(standardError(sums[name]!.rates));
      curves[name]!.monteCarloStderr.push(count === 0 ? 0 : Math.sqrt(sums[name]!.variance) / count);
    }
  }
  return { k: ks, subsets: rounds, seed, problems: prepared.length, excluded, methods: curves };
}

function passRates(problems: readonly PreparedProblem[], k: number): number[] {
  return problems.map((problem) => passAtK(problem.n, problem.c, Math.min(k, problem.n)));
}

/** The standard error of a mean: sample sd / √n; 0 with fewer than two values. */
function standardError(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  const variance = values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * A method's or judge's name in the parts a narrow column may break it between: each part ends at
 * one of its own separators (`prm-best-of-n:prm:product` → `prm-` `best-` `of-` `n:` `prm:`
 * `product`), so a name is never broken inside a part (the report's tables, the report view's).
 */
export function identParts(name: string): string[] {
  return name.split(/(?<=[-:])/).filter((part) => part !== '');
}
