/**
 * Several dataset runs side by side (`steplens report DIR… --out OUT`), on the problems they share.
 *
 * Rules, as the compare page states them:
 * - shared problems: the problem ids every folder has, each with a reference and a usable sample
 *   in every folder (the report's own exclusions);
 * - accuracy at k_max per method on the shared problems, each folder at its own k_max (all its
 *   usable samples: exact, no subsets); pass@k at k_max = a right sample among them; a method a
 *   folder lacks (no such judge) is "—"; differences are each folder minus the first;
 * - disagreement per shared problem: the spread of pass@1 (largest minus smallest share of right
 *   samples), and whether the Self-PRM pick at k_max (self-prm: majority among the samples it calls
 *   error-free) is right in some folders and wrong in others; problems are listed by spread, then
 *   differing picks first, then id.
 */
import type { DatasetIndex } from './dataset.js';
import { SELF_JUDGE_ID } from './rerank.js';
import { methodsFor, type PreparedProblem, prepareProblem, selfPrm } from './rerankCurves.js';

export interface CompareInput {
  label: string;
  index: Pick<DatasetIndex, 'judges' | 'problems' | 'samplesPerProblem'>;
}

export interface ProblemDisagreement {
  problemId: string;
  /** Per folder: right samples of usable ones. */
  correctOfN: [number, number][];
  /** Per folder: pass@1 (share of right usable samples). */
  pass1: number[];
  /** Per folder: is the Self-PRM pick at k_max right (null: no Self-PRM judge there). */
  selfPick: (boolean | null)[];
  /** max − min of pass1. */
  spread: number;
  /** Some folders' Self-PRM picks are right and others' wrong. */
  picksDiffer: boolean;
}

export interface Comparison {
  folders: string[];
  kMax: number[];
  shared: number;
  /** Per folder: its problems (with a reference and a usable sample) that are not shared. */
  notShared: number[];
  /** Per method (union over folders): accuracy at k_max on the shared problems, and minus the first folder. */
  methods: { method: string; accuracy: (number | null)[]; difference: (number | null)[] }[];
  problems: ProblemDisagreement[];
}

const ALL = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Accuracy of every method at k_max (all samples) over prepared problems, as shares. */
export function accuracyAtKMax(
  prepared: readonly PreparedProblem[],
  judges: readonly { id: string }[],
): Record<string, number> {
  const methods = methodsFor(judges);
  const count = prepared.length;
  const result: Record<string, number> = {
    'pass@k': count === 0 ? 0 : prepared.filter((problem) => problem.c > 0).length / count,
  };
  for (const [name, method] of Object.entries(methods)) {
    let hits = 0;
    for (const problem of prepared) if (method(problem, ALL(problem.n))) hits += 1;
    result[name] = count === 0 ? 0 : hits / count;
  }
  return result;
}

export function compareDatasets(inputs: readonly CompareInput[]): Comparison {
  const prepared = inputs.map((input) => {
    const ids = input.index.judges.map((judge) => judge.id);
    const byId = new Map<string, PreparedProblem>();
    for (const problem of input.index.problems) {
      const ready = prepareProblem(problem, ids);
      if (ready && !byId.has(ready.id)) byId.set(ready.id, ready);
    }
    return byId;
  });
  const first = prepared[0] ?? new Map<string, PreparedProblem>();
  const shared = [...first.keys()].filter((id) => prepared.every((byId) => byId.has(id))).sort();
  const sharedSet = new Set(shared);
  const accuracies = inputs.map((input, f) =>
    accuracyAtKMax(
      shared.map((id) => prepared[f]!.get(id)!),
      input.index.judges,
    ),
  );
  const names: string[] = [];
  for (const accuracy of accuracies)
    for (const name of Object.keys(accuracy)) if (!names.includes(name)) names.push(name);
  const methods = names.map((method) => {
    const accuracy = accuracies.map((values) => values[method] ?? null);
    const base = accuracy[0] ?? null;
    return {
      method,
      accuracy,
      difference: accuracy.map((value) => (value === null || base === null ? null : value - base)),
    };
  });
  const picks = inputs.map((input) =>
    input.index.judges.some((judge) => judge.id === SELF_JUDGE_ID) ? selfPrm(SELF_JUDGE_ID) : null,
  );
  const problems = shared.map((problemId): ProblemDisagreement => {
    const entries = prepared.map((byId) => byId.get(problemId)!);
    const pass1 = entries.map((problem) => problem.c / problem.n);
    const selfPick = entries.map((problem, f) => {
      const pick = picks[f];
      return pick ? pick(problem, ALL(problem.n)) : null;
    });
    const known = selfPick.filter((value): value is boolean => value !== null);
    return {
      problemId,
      correctOfN: entries.map((problem) => [problem.c, problem.n]),
      pass1,
      selfPick,
      spread: Math.max(...pass1) - Math.min(...pass1),
      picksDiffer: known.includes(true) && known.includes(false),
    };
  });
  problems.sort(
    (a, b) =>
      b.spread - a.spread ||
      Number(b.picksDiffer) - Number(a.picksDiffer) ||
      (a.problemId < b.problemId ? -1 : a.problemId > b.problemId ? 1 : 0),
  );
  return {
    folders: inputs.map((input) => input.label),
    kMax: inputs.map((input) => input.index.samplesPerProblem),
    shared: shared.length,
    notShared: prepared.map((byId) => [...byId.keys()].filter((id) => !sharedSet.has(id)).length),
    methods,
    problems,
  };
}

/** Distinct labels for folders: their names, "name (2)", "name (3)" … where names repeat. */
export function folderLabels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
