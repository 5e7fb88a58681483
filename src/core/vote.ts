import { answersEquivalent } from './answers.js';

export interface AnswerGroup {
  /** The answer as the first sample in the group wrote it. */
  answer: string;
  /** Indices of the samples whose answers are equivalent to it, ascending. */
  members: number[];
  /** Sum of the members' weights (the vote count when unweighted). */
  weight: number;
}

export interface VoteResult {
  winner: AnswerGroup | null;
  /** All groups, strongest first, in the tie order. */
  groups: AnswerGroup[];
  /** True when the winner shares the top weight with another answer and the tie rule decided. */
  tie: boolean;
}

export const TIE_RULE = 'ties go to the answer that appeared first (lowest sample index)';

/** Groups equivalent answers; a sample without an answer joins no group. */
export function groupAnswers(
  answers: readonly (string | null)[],
  weights?: readonly number[],
): AnswerGroup[] {
  const groups: AnswerGroup[] = [];
  answers.forEach((answer, index) => {
    if (answer === null || answer.trim() === '') return;
    const weight = weights?.[index] ?? 1;
    const group = groups.find((candidate) => answersEquivalent(candidate.answer, answer));
    if (group) {
      group.members.push(index);
      group.weight += weight;
    } else {
      groups.push({ answer, members: [index], weight });
    }
  });
  return groups;
}

/**
 * Majority (or weighted) vote over equivalent answers. Groups are created in order of first
 * appearance, so a stable sort by weight implements the tie rule.
 */
export function majorityVote(answers: readonly (string | null)[], weights?: readonly number[]): VoteResult {
  const groups = groupAnswers(answers, weights).sort((a, b) => b.weight - a.weight);
  const winner = groups[0] ?? null;
  const runnerUp = groups[1];
  const tie = winner !== null && runnerUp !== undefined && runnerUp.weight === winner.weight;
  return { winner, groups, tie };
}
