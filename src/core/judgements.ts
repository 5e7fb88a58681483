/**
 * How every consumer reads a judgement (pipeline, rerankers, export report, panel): the τ that
 * applies to each judge of a run, and the first error the judge names at that τ.
 *
 * Tie rule: a step scored below τ counts as wrong; a score equal to τ does not.
 */
import { firstErrorFromScores } from './metrics.js';
import type { JudgeInfo, Judgement } from './schemas.js';

/** What τ depends on: the run's τ and the PRMs' own (a RunConfig fits). */
export interface ThresholdSettings {
  threshold: number;
  prms: readonly { id: string; threshold?: number | undefined }[];
}

/** The judges of a run and its τ settings (a Run fits). */
export interface JudgedRun {
  config: ThresholdSettings;
  judges: readonly JudgeInfo[];
}

/** τ for judge `id` in a run: the PRM's own τ when its config sets one, else the run's (always for self). */
export function judgeThreshold(config: ThresholdSettings, id: string): number {
  return config.prms.find((prm) => prm.id === id)?.threshold ?? config.threshold;
}

/** Judges whose first error is read off their step scores; critics name theirs. */
const SCORE_JUDGE_KINDS: ReadonlySet<JudgeInfo['kind']> = new Set([
  'self-stepwise',
  'vllm-pooling',
  'rlhflow',
]);

export function isScoreJudge(kind: JudgeInfo['kind'] | undefined): boolean {
  return kind !== undefined && SCORE_JUDGE_KINDS.has(kind);
}

/** A judgement as the consumers use it: the scores, the first error at τ, and that τ. */
export interface Verdict {
  stepScores: readonly (number | null)[];
  /** −1: no error found. */
  firstError: number;
  threshold: number;
}

/** Whether a judgement scored at least one step. */
export function scoredAnyStep(judgement: Pick<Judgement, 'stepScores'>): boolean {
  return judgement.stepScores.some((score) => score !== null);
}

/**
 * A judgement that scored no step is an error on that sample, whatever the judge kind: it is "no
 * judgement", never "no error". Judgements that failed or scored a step pass unchanged.
 */
export function requireScoredStep(judgement: Judgement, reason = 'the judge scored no step'): Judgement {
  if (judgement.error || scoredAnyStep(judgement)) return judgement;
  return { ...judgement, firstError: null, solutionScore: null, error: reason };
}

/**
 * Judge `id`'s verdict on a sample. A score judge's first error is re-derived from its scores at
 * its τ (so a run file written with another τ reads right); a critic's is the index it named.
 * Undefined when there is no verdict — the judgement is absent, failed, or scored no step (also in
 * run files written before such judgements were marked as errors): consumers leave the sample out
 * for this judge and count it, never read it as "no error".
 */
export function verdictOf(run: JudgedRun, id: string, judgement: Judgement | undefined): Verdict | undefined {
  if (!judgement || judgement.error || !scoredAnyStep(judgement)) return undefined;
  const threshold = judgeThreshold(run.config, id);
  const kind = run.judges.find((judge) => judge.id === id)?.kind;
  const firstError = isScoreJudge(kind)
    ? firstErrorFromScores(judgement.stepScores, threshold)
    : judgement.firstError;
  if (firstError === null) return undefined;
  return { stepScores: judgement.stepScores, firstError, threshold };
}
