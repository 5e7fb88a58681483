/** What the panel shows, derived from a run and its labels; pure, so it is cheap to test. */

import { type AuditLabels, ratedSteps } from '../src/core/audit.js';
import { type Disagreement, disagreement } from '../src/core/disagreement.js';
import { datasetLabels } from '../src/core/gold.js';
import { judgeThreshold, verdictOf } from '../src/core/judgements.js';
import { SELF_JUDGE_ID } from '../src/core/rerank.js';
import type { RerankPick, Run, Sample } from '../src/core/schemas.js';
import { groupAnswers } from '../src/core/vote.js';

export function prmJudges(run: Run): string[] {
  return run.judges.filter((judge) => judge.id !== SELF_JUDGE_ID).map((judge) => judge.id);
}

export function hasSelf(run: Run): boolean {
  return run.judges.some((judge) => judge.id === SELF_JUDGE_ID);
}

/** τ for a judge of this run: the PRM's own when set, else the run's. */
export function thresholdOf(run: Run, judge: string): number {
  return judgeThreshold(run.config, judge);
}

/** The first error a judge names on a sample, read at its τ; undefined when it gave no verdict. */
export function judgeFirstError(run: Run, sample: Sample, judge: string): number | undefined {
  return verdictOf(run, judge, sample.judgements[judge])?.firstError;
}

/** "τ = 0.5", or each shown judge's τ when they differ: "τ: Self-PRM 0.5 · qwen-prm 0.7". */
export function thresholdLegend(run: Run, prm: string | undefined): string {
  const shown: [string, number][] = [
    ...(hasSelf(run) ? [['Self-PRM', thresholdOf(run, SELF_JUDGE_ID)] as [string, number]] : []),
    ...(prm === undefined ? [] : [[prm, thresholdOf(run, prm)] as [string, number]]),
  ];
  if (new Set(shown.map(([, tau]) => tau)).size <= 1) return `τ = ${shown[0]?.[1] ?? run.config.threshold}`;
  return `τ: ${shown.map(([name, tau]) => `${name} ${tau}`).join(' · ')}`;
}

export function sampleDisagreement(run: Run, sample: Sample, prm: string | undefined): Disagreement {
  return disagreement(
    verdictOf(run, SELF_JUDGE_ID, sample.judgements[SELF_JUDGE_ID]),
    prm === undefined ? undefined : verdictOf(run, prm, sample.judgements[prm]),
    sample.steps.length,
  );
}

export interface SampleSummary {
  sample: Sample;
  disagreement: Disagreement;
  rated: number;
}

export function summarize(run: Run, labels: AuditLabels, prm: string | undefined): SampleSummary[] {
  return run.samples.map((sample) => ({
    sample,
    disagreement: sampleDisagreement(run, sample, prm),
    rated: ratedSteps(labels, sample.index),
  }));
}

export interface AnswerRow {
  answer: string;
  members: number[];
  correct: boolean | undefined;
  meanSelf: number | null;
  meanPrm: number | null;
  picks: RerankPick[];
}

function mean(values: (number | null | undefined)[]): number | null {
  const numbers = values.filter((value): value is number => typeof value === 'number');
  return numbers.length === 0 ? null : numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
}

export function answerRows(run: Run, prm: string | undefined): AnswerRow[] {
  const usable = run.samples.filter((sample) => !sample.error);
  const groups = groupAnswers(usable.map((sample) => sample.answer)).sort((a, b) => b.weight - a.weight);
  return groups.map((group) => {
    const members = group.members.map((i) => usable[i]!);
    const indices = new Set(members.map((sample) => sample.index));
    return {
      answer: group.answer,
      members: members.map((sample) => sample.index),
      correct: members[0]!.correct,
      meanSelf: mean(members.map((sample) => sample.judgements[SELF_JUDGE_ID]?.solutionScore)),
      meanPrm:
        prm === undefined ? null : mean(members.map((sample) => sample.judgements[prm]?.solutionScore)),
      picks: run.rerank.filter(
        (pick) =>
          pick.sample !== null &&
          indices.has(pick.sample) &&
          (pick.judge === undefined || pick.judge === SELF_JUDGE_ID || pick.judge === prm),
      ),
    };
  });
}

export const METHOD_NAMES: Record<RerankPick['method'], string> = {
  majority: 'Majority',
  'prm-best-of-n': 'PRM best-of-N',
  'prm-weighted': 'PRM-weighted',
  'self-prm': 'Self-PRM',
};

export function formatScore(score: number | null | undefined): string {
  return score == null ? '–' : score.toFixed(2);
}

export function verdictText(firstError: number | undefined): string {
  if (firstError === undefined) return '–';
  return firstError === -1 ? 'no error' : `error @${firstError}`;
}

/** A judge's name as the panel shows it. */
export function judgeName(judge: string): string {
  return judge === SELF_JUDGE_ID ? 'Self-PRM' : judge;
}

/** The judges the samples table shows, each the same way: Self-PRM first, then every PRM. */
export function tableJudges(run: Run): string[] {
  return [...(hasSelf(run) ? [SELF_JUDGE_ID] : []), ...prmJudges(run)];
}

/** A first-error index, short: "@3" (the first error is step 3), "ok" (none found), "–" (no verdict yet). */
export function firstErrorText(firstError: number | undefined): string {
  if (firstError === undefined) return '–';
  return firstError === -1 ? 'ok' : `@${firstError}`;
}

export interface JudgeCell {
  /** The solution score, or what stands in its place ("failed", "–"). */
  score: string;
  /** The first error the judge names, short (see firstErrorText); empty when the judge failed. */
  firstError: string;
  title: string;
  failed: boolean;
}

/** One judge on one sample, as the samples table shows every judge: score and first-error step. */
export function judgeCell(run: Run, sample: Sample, judge: string): JudgeCell {
  const judgement = sample.judgements[judge];
  const name = judgeName(judge);
  if (judgement?.error)
    return { score: 'failed', firstError: '', title: `${name} failed: ${judgement.error}`, failed: true };
  const first = judgeFirstError(run, sample, judge);
  const score = formatScore(judgement?.solutionScore);
  return {
    score,
    firstError: firstErrorText(first),
    title: `${name}: solution score ${score}; ${judgement ? verdictText(first).replace('@', 'at step ') : 'not judged yet'}`,
    failed: false,
  };
}

/**
 * The sample that is the dataset's own solution — a run that scores a row's own steps (ProcessBench,
 * PRM800K: "Score Existing Steps") — when the row carries its gold first error; undefined otherwise.
 */
export function goldSample(run: Run): number | undefined {
  return run.samples.find(
    (sample) => !sample.error && datasetLabels(run.problem, sample)?.firstError !== undefined,
  )?.index;
}

/** The dataset's first error (−1: none) on `sample`, if it is the dataset's own solution. */
export function goldFirstError(run: Run, sample: Sample): number | undefined {
  return goldSample(run) === sample.index ? run.problem.humanFirstError : undefined;
}
