/**
 * From step scores to solution scores, and from samples to the answer each reranker would pick.
 */
import { answersEquivalent } from './answers.js';
import type { Aggregation } from './config.js';
import { type ThresholdSettings, verdictOf } from './judgements.js';
import type { JudgeInfo, RerankPick, Sample } from './schemas.js';
import { majorityVote, TIE_RULE } from './vote.js';

/** Solution score from step scores; unscored steps are left out, and no scored step means null. */
export function aggregateScores(scores: readonly (number | null)[], method: Aggregation): number | null {
  if (method === 'last') {
    // The last step's own score: a solution whose ending went unscored has no "last" score.
    const last = scores[scores.length - 1];
    return last === undefined ? null : last;
  }
  const scored = scores.filter((score): score is number => score !== null);
  if (scored.length === 0) return null;
  switch (method) {
    case 'min':
      return Math.min(...scored);
    case 'product':
      return scored.reduce((product, score) => product * score, 1);
    case 'mean':
      return scored.reduce((sum, score) => sum + score, 0) / scored.length;
  }
}

export const SELF_JUDGE_ID = 'self';

type RankedSample = Pick<Sample, 'index' | 'answer' | 'judgements' | 'error' | 'cancelled'>;

function checked(reference: string | undefined, answer: string | null): { correct?: boolean } {
  return reference === undefined ? {} : { correct: answersEquivalent(answer, reference) };
}

function votePick(
  method: RerankPick['method'],
  samples: readonly RankedSample[],
  reference: string | undefined,
  extra: Partial<RerankPick> & { weights?: number[] },
  rule: string,
): RerankPick {
  const { weights, ...rest } = extra;
  const vote = majorityVote(
    samples.map((sample) => sample.answer),
    weights,
  );
  const sample = vote.winner ? samples[vote.winner.members[0]!]!.index : null;
  const answer = vote.winner?.answer ?? null;
  return { method, sample, answer, ...checked(reference, answer), tie: vote.tie, rule, ...rest };
}

/**
 * The pick of every reranker: majority vote; per PRM judge best-of-N (highest solution score) and
 * score-weighted vote; Self-PRM (majority among samples the model judged error-free at τ, or plain
 * majority, flagged, when it judged none so). A sample a judge gave no judgement on is never
 * trusted or scored by that judge's methods; `unjudged` counts them.
 */
export function rerank(
  samples: readonly RankedSample[],
  judges: readonly JudgeInfo[],
  reference: string | undefined,
  config: ThresholdSettings,
): RerankPick[] {
  // A failed sample has nothing to vote with, a cancelled one only a beginning.
  const usable = samples.filter((sample) => !sample.error && !sample.cancelled);
  const picks: RerankPick[] = [votePick('majority', usable, reference, {}, `majority vote; ${TIE_RULE}`)];
  const run = { config, judges };
  // A sample a judge gave no judgement on (failed, no step scored, never ran) is left out, and counted.
  const judgedBy = (id: string) =>
    usable.filter((sample) => verdictOf(run, id, sample.judgements[id]) !== undefined);

  for (const judge of judges) {
    if (judge.id === SELF_JUDGE_ID) continue;
    const judged = judgedBy(judge.id);
    const unjudged = usable.length - judged.length;
    const scored = judged
      .map((sample) => ({ sample, score: sample.judgements[judge.id]?.solutionScore ?? null }))
      .filter((entry): entry is { sample: RankedSample; score: number } => entry.score !== null);
    let best: { sample: RankedSample; score: number } | undefined;
    let tie = false;
    for (const entry of scored) {
      if (!best || entry.score > best.score) {
        best = entry;
        tie = false;
      } else if (entry.score === best.score) tie = true;
    }
    const answer = best?.sample.answer ?? null;
    picks.push({
      method: 'prm-best-of-n',
      judge: judge.id,
      sample: best?.sample.index ?? null,
      answer,
      ...checked(reference, answer),
      tie,
      unjudged,
      rule: 'highest solution score; ties go to the lowest sample index',
    });
    picks.push(
      votePick(
        'prm-weighted',
        scored.map((entry) => entry.sample),
        reference,
        { judge: judge.id, weights: scored.map((entry) => entry.score), unjudged },
        `vote weighted by solution score; ${TIE_RULE}`,
      ),
    );
  }

  if (judges.some((judge) => judge.id === SELF_JUDGE_ID)) {
    const judged = judgedBy(SELF_JUDGE_ID);
    const trusted = judged.filter(
      (sample) => verdictOf(run, SELF_JUDGE_ID, sample.judgements[SELF_JUDGE_ID])?.firstError === -1,
    );
    const fallback = trusted.length === 0;
    picks.push(
      votePick(
        'self-prm',
        fallback ? usable : trusted,
        reference,
        { judge: SELF_JUDGE_ID, fallback, unjudged: usable.length - judged.length },
        fallback
          ? `no sample was judged error-free by the model, so plain majority vote; ${TIE_RULE}`
          : `majority vote among the samples the model judged error-free; ${TIE_RULE}`,
      ),
    );
  }
  return picks;
}
