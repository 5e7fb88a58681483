/**
 * The Dataset Report view's problems table, from the dataset index alone (`dataset.json`): per
 * problem its pass rate, how many samples Self-PRM and a PRM disagree on, where they first
 * disagree (the panel opens there), and whether each reranker's pick at k_max was right.
 *
 * Rules (the view states them):
 * - A sample is a disagreement when Self-PRM and at least one PRM both gave a verdict on it and
 *   name different first errors (−1, "no error", counts as a name): so it includes every sample one
 *   calls correct and the other does not. A sample without a verdict from either disagrees with
 *   nothing.
 * - The first disagreement is the lowest sample index that disagrees, with the first PRM (in the
 *   index's judge order) that disagrees there; its step is the earlier of the two first errors
 *   (the one that is not −1 when one is). For score judges this is the first step where one judge
 *   is below its τ and the other is not, the panel's own rule.
 * - The picks at k_max are the report's own rerankers (src/core/rerankCurves.ts) on all usable
 *   samples: majority, self-prm, prm-best-of-n:<judge> (min aggregation). Problems without a
 *   reference or a usable sample have no pick (null).
 */
import type { DatasetIndex, DatasetProblem } from './dataset.js';
import { SELF_JUDGE_ID } from './rerank.js';
import { bestOfK, type Method, majority, prepareProblem, selfPrm } from './rerankCurves.js';

type SampleEntry = DatasetProblem['samples'][number];

export interface FirstDisagreement {
  /** The sample's index (as in the run file). */
  sample: number;
  step: number;
  /** The PRM Self-PRM disagrees with there. */
  prm: string;
}

export interface ProblemRow {
  id: string;
  /** The run file, relative to the dataset folder (dataset.json's `run`). */
  run: string;
  subset?: string;
  /** Usable (non-failed) samples. */
  n: number;
  /** Of them, right; null when the problem has no reference. */
  right: number | null;
  /** right / n; null without a reference or a usable sample. */
  passRate: number | null;
  /** Samples Self-PRM and a PRM disagree on (see the rules above); null without a usable sample. */
  disagreements: number | null;
  firstDisagreement: FirstDisagreement | null;
  /** By method name (`majority`, `self-prm`, `prm-best-of-n:<judge>`): its pick at k_max right? */
  picks: Record<string, boolean | null>;
}

/** A judge's first error on a sample; null when it gave no verdict. */
function firstErrorOf(sample: SampleEntry, judge: string): number | null {
  if (sample.failed) return null;
  const summary = sample.judges[judge];
  if (!summary || summary.failed) return null;
  return summary.firstError;
}

/** The first step where two first errors disagree (they differ): the earlier real one. */
export function disagreeingStep(a: number, b: number): number {
  if (a === -1) return b;
  if (b === -1) return a;
  return Math.min(a, b);
}

/** The PRMs Self-PRM disagrees with on this sample, in `prms` order. */
export function disagreeingPrms(sample: SampleEntry, prms: readonly string[]): string[] {
  const self = firstErrorOf(sample, SELF_JUDGE_ID);
  if (self === null) return [];
  return prms.filter((prm) => {
    const other = firstErrorOf(sample, prm);
    return other !== null && other !== self;
  });
}

/** The PRM judges of an index: every judge but Self-PRM. */
export function prmIds(index: Pick<DatasetIndex, 'judges'>): string[] {
  return index.judges.map((judge) => judge.id).filter((id) => id !== SELF_JUDGE_ID);
}

export function disagreementCount(problem: DatasetProblem, prms: readonly string[]): number {
  return problem.samples.filter((sample) => disagreeingPrms(sample, prms).length > 0).length;
}

export function firstDisagreement(
  problem: DatasetProblem,
  prms: readonly string[],
): FirstDisagreement | null {
  const samples = [...problem.samples].sort((a, b) => a.index - b.index);
  for (const sample of samples) {
    const prm = disagreeingPrms(sample, prms)[0];
    if (prm === undefined) continue;
    const step = disagreeingStep(firstErrorOf(sample, SELF_JUDGE_ID)!, firstErrorOf(sample, prm)!);
    return { sample: sample.index, step, prm };
  }
  return null;
}

/** The methods whose pick the table shows, by report name, for these judges. */
export function pickMethods(index: Pick<DatasetIndex, 'judges'>): Record<string, Method> {
  const methods: Record<string, Method> = { majority };
  if (index.judges.some((judge) => judge.id === SELF_JUDGE_ID)) methods['self-prm'] = selfPrm(SELF_JUDGE_ID);
  for (const prm of prmIds(index)) methods[`prm-best-of-n:${prm}`] = bestOfK(prm, 'min');
  return methods;
}

export function problemRows(index: DatasetIndex): ProblemRow[] {
  const prms = prmIds(index);
  const judgeIds = index.judges.map((judge) => judge.id);
  const methods = pickMethods(index);
  return index.problems.map((problem) => {
    const usable = problem.samples.filter((sample) => !sample.failed);
    const right =
      problem.reference === null ? null : usable.filter((sample) => sample.correct === true).length;
    const prepared = prepareProblem(problem, judgeIds);
    const all = prepared ? Array.from({ length: prepared.n }, (_, i) => i) : [];
    const picks = Object.fromEntries(
      Object.entries(methods).map(([name, method]) => [name, prepared ? method(prepared, all) : null]),
    );
    return {
      id: problem.id,
      run: problem.run,
      ...(problem.subset !== undefined ? { subset: problem.subset } : {}),
      n: usable.length,
      right,
      passRate: right === null || usable.length === 0 ? null : right / usable.length,
      // A problem whose every sample failed has nothing to disagree on: not "0", which reads as agreement.
      disagreements: usable.length === 0 ? null : disagreementCount(problem, prms),
      firstDisagreement: firstDisagreement(problem, prms),
      picks,
    };
  });
}
