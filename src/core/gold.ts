/**
 * The dataset's own labels (ProcessBench `label` / `final_answer_correct`, PRM800K's ratings) as a
 * third reference beside the judges and the people auditing them. They belong to one exact list of
 * steps: a sample carries them only when its steps are the problem's own, unchanged (a row scored
 * with "Score Existing Steps"). A sampled solution never inherits the row's labels.
 */
import type { Problem } from './problems.js';
import type { Sample } from './schemas.js';

export interface DatasetLabels {
  /** Index of the earliest wrong step by the dataset's labellers; −1 when they found none. */
  firstError?: number;
  /** Whether the dataset says the final answer is correct. */
  finalAnswerCorrect?: boolean;
}

function sameSteps(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((step, index) => step === b[index]);
}

/** The dataset's labels of this sample, or undefined when it has none (or is not the row's own steps). */
export function datasetLabels(problem: Problem, sample: Pick<Sample, 'steps'>): DatasetLabels | undefined {
  if (!problem.steps || !sameSteps(problem.steps, sample.steps)) return undefined;
  const labels: DatasetLabels = {
    ...(problem.humanFirstError !== undefined ? { firstError: problem.humanFirstError } : {}),
    ...(problem.finalAnswerCorrect !== undefined ? { finalAnswerCorrect: problem.finalAnswerCorrect } : {}),
  };
  return labels.firstError === undefined && labels.finalAnswerCorrect === undefined ? undefined : labels;
}
