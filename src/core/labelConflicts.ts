/**
 * One person's labels on a sample that cannot all be true: the first-error mark (ProcessBench: the
 * earliest wrong step, −1 = none) against the step ratings (PRM800K: −1 wrong, 0 "isn't incorrect,
 * but does not make any progress", +1 right; labelling stops at the first −1). The ProcessBench
 * export takes the mark and the PRM800K export the ratings, so such a sample would be two truths.
 *
 * Steps after the mark are free (PRM800K stops at the first error; ProcessBench says nothing of
 * later steps), and an unrated step contradicts nothing.
 */
import type { SampleLabels } from './audit.js';

export type LabelConflict =
  /** Marked "no error", yet these steps are rated −1. */
  | { kind: 'noErrorButWrongStep'; steps: number[] }
  /** The first error marked at `firstError`, yet these earlier steps are rated −1. */
  | { kind: 'earlierWrongStep'; firstError: number; steps: number[] }
  /** The first error marked at `firstError`, yet that step is rated 0 or +1: not wrong. */
  | { kind: 'firstErrorRatedNotWrong'; firstError: number; rating: 0 | 1 };

/** Every way the sample's first-error mark and its ratings disagree; empty when they do not. */
export function labelConflicts(labels: SampleLabels | undefined): LabelConflict[] {
  const mark = labels?.firstError;
  if (labels === undefined || mark === undefined) return [];
  const wrong = Object.entries(labels.steps)
    .filter(([, step]) => step.rating === -1)
    .map(([step]) => Number(step))
    .sort((a, b) => a - b);
  if (mark < 0) return wrong.length > 0 ? [{ kind: 'noErrorButWrongStep', steps: wrong }] : [];
  const conflicts: LabelConflict[] = [];
  const earlier = wrong.filter((step) => step < mark);
  if (earlier.length > 0) conflicts.push({ kind: 'earlierWrongStep', firstError: mark, steps: earlier });
  const rating = labels.steps[mark]?.rating;
  if (rating === 0 || rating === 1)
    conflicts.push({ kind: 'firstErrorRatedNotWrong', firstError: mark, rating });
  return conflicts;
}

/** The steps whose rating takes part in a conflict. */
export function conflictSteps(conflicts: readonly LabelConflict[]): number[] {
  const steps = conflicts.flatMap((conflict) =>
    conflict.kind === 'firstErrorRatedNotWrong' ? [conflict.firstError] : conflict.steps,
  );
  return [...new Set(steps)].sort((a, b) => a - b);
}

/** "step 4", "steps 2 and 4", "steps 1, 2 and 4". */
function stepList(steps: readonly number[]): string {
  if (steps.length === 1) return `step ${steps[0]}`;
  return `steps ${steps.slice(0, -1).join(', ')} and ${steps[steps.length - 1]}`;
}

const RATING_TEXT = { 0: '0', 1: '+1' } as const;

/** One conflict in words, e.g. "marked no error, but step 4 is rated −1". */
export function describeLabelConflict(conflict: LabelConflict): string {
  switch (conflict.kind) {
    case 'noErrorButWrongStep':
      return `marked no error, but ${stepList(conflict.steps)} ${conflict.steps.length === 1 ? 'is' : 'are'} rated −1`;
    case 'earlierWrongStep':
      return `first error marked at step ${conflict.firstError}, but earlier ${stepList(conflict.steps)} ${conflict.steps.length === 1 ? 'is' : 'are'} rated −1`;
    case 'firstErrorRatedNotWrong':
      return `first error marked at step ${conflict.firstError}, but that step is rated ${RATING_TEXT[conflict.rating]}`;
  }
}

/** All of a sample's conflicts in one phrase, or '' when there are none. */
export function describeLabelConflicts(conflicts: readonly LabelConflict[]): string {
  const [first, second] = conflicts;
  // Both about the same mark: one phrase, not the mark twice.
  if (first?.kind === 'earlierWrongStep' && second?.kind === 'firstErrorRatedNotWrong')
    return `${describeLabelConflict(first)}, and step ${second.firstError} itself is rated ${RATING_TEXT[second.rating]}`;
  return conflicts.map(describeLabelConflict).join('; ');
}

/**
 * What is said wherever a person labels (the panel under the selected step, the queue's status and
 * label lines) of a sample whose labels contradict, or '' when they do not: one wording, so the two
 * places never tell the same person two things.
 */
export function labelConflictSentence(conflicts: readonly LabelConflict[]): string {
  if (conflicts.length === 0) return '';
  return `Labels contradict: ${describeLabelConflicts(conflicts)}. Until one changes, exports leave this sample out.`;
}
