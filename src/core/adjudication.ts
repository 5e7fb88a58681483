/**
 * What the adjudication view shows: every place where annotators disagree (annotatorDisagreements)
 * over a set of runs, each with the context an adjudicator needs to settle it without opening the
 * run — the problem, the sample's steps, each judge's scores — open ones first.
 */
import { type AnnotatorDisagreement, annotatorDisagreements } from './annotators.js';
import type { AuditEvent, Run } from './schemas.js';

/** Problem statements are shown as a reminder, not read in full: longer ones are cut here. */
export const PROBLEM_SHOWN_CHARS = 600;

export interface JudgeView {
  judge: string;
  /** One per step, null where unscored. */
  scores: (number | null)[];
  /** The judge's first error (−1: none), null when it gave no verdict. */
  firstError: number | null;
}

export interface AdjudicationItem extends AnnotatorDisagreement {
  runId: string;
  problemId: string;
  /** The problem statement, cut to PROBLEM_SHOWN_CHARS. */
  problem: string;
  /** The sample's steps: the disputed step with the one before it, or any step for a first error. */
  steps: string[];
  judges: JudgeView[];
}

export function shortProblem(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > PROBLEM_SHOWN_CHARS ? `${trimmed.slice(0, PROBLEM_SHOWN_CHARS - 1)}…` : trimmed;
}

/** Names one item across reloads of the logs (the values may change, what is disputed does not). */
export function itemKey(item: Pick<AdjudicationItem, 'runId' | 'sample' | 'kind' | 'step'>): string {
  return `${item.runId}\u0000${item.sample}\u0000${item.kind}\u0000${item.step}`;
}

/**
 * Every disagreement of every run, open ones first; within each group in run order, then as
 * annotatorDisagreements lists them (sample, first error before the ratings of the same sample).
 */
export function adjudicationItems(
  runs: readonly { run: Pick<Run, 'id' | 'problem' | 'samples'>; events: readonly AuditEvent[] }[],
): AdjudicationItem[] {
  const all: AdjudicationItem[] = [];
  for (const { run, events } of runs) {
    const samples = new Map(run.samples.map((sample) => [sample.index, sample]));
    const problem = shortProblem(run.problem.text);
    for (const disagreement of annotatorDisagreements(run.samples, events)) {
      const sample = samples.get(disagreement.sample);
      if (!sample) continue;
      all.push({
        ...disagreement,
        runId: run.id,
        problemId: run.problem.id,
        problem,
        steps: sample.steps,
        judges: Object.entries(sample.judgements).map(([judge, judgement]) => ({
          judge,
          scores: judgement.stepScores,
          firstError: judgement.firstError,
        })),
      });
    }
  }
  return [
    ...all.filter((item) => item.adjudicated === undefined),
    ...all.filter((item) => item.adjudicated !== undefined),
  ];
}
