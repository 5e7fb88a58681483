/** What the panel shows, derived from a run and its labels; pure, so it is cheap to test. */
import { type AuditLabels, ratedSteps } from '../src/core/audit.js';
import { type Disagreement, disagreement } from '../src/core/disagreement.js';
import { SELF_JUDGE_ID } from '../src/core/rerank.js';
import type { RerankPick, Run, Sample } from '../src/core/schemas.js';
import { groupAnswers } from '../src/core/vote.js';

export function prmJudges(run: Run): string[] {
  return run.judges.filter((judge) => judge.id !== SELF_JUDGE_ID).map((judge) => judge.id);
}

export function hasSelf(run: Run): boolean {
  return run.judges.some((judge) => judge.id === SELF_JUDGE_ID);
}

export function sampleDisagreement(run: Run, sample: Sample, prm: string | undefined): Disagreement {
  return disagreement(
    sample.judgements[SELF_JUDGE_ID],
    prm === undefined ? undefined : sample.judgements[prm],
    sample.steps.length,
    run.config.threshold,
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
