/**
 * Where Self-PRM and a PRM disagree about a solution: a step one judge scores at or above its τ
 * and the other below its own, or the step each judge names as the first error when they name
 * different ones. A score equal to τ is "not wrong", for both judges alike.
 */
import type { Verdict } from './judgements.js';

export interface Disagreement {
  /** Per step: do the two judges disagree here? */
  steps: boolean[];
  count: number;
  /** The judges name different first errors (−1 counts as a name: "no error"). */
  firstErrorsDiffer: boolean;
}

/** Compares two verdicts (from `verdictOf`); a missing one (absent, failed) disagrees with nothing. */
export function disagreement(
  self: Verdict | undefined,
  prm: Verdict | undefined,
  stepCount: number,
): Disagreement {
  const steps = Array.from({ length: stepCount }, () => false);
  if (!self || !prm) return { steps, count: 0, firstErrorsDiffer: false };
  for (let i = 0; i < stepCount; i++) {
    const a = self.stepScores[i];
    const b = prm.stepScores[i];
    if (a == null || b == null) continue;
    if (a >= self.threshold !== b >= prm.threshold) steps[i] = true;
  }
  const firstErrorsDiffer = self.firstError !== prm.firstError;
  if (firstErrorsDiffer) {
    for (const index of [self.firstError, prm.firstError])
      if (index >= 0 && index < stepCount) steps[index] = true;
  }
  return { steps, count: steps.filter(Boolean).length, firstErrorsDiffer };
}
