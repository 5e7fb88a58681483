/**
 * The dataset index (`DIR/dataset.json`): per problem and sample, what the dataset report needs
 * without opening the runs — answer, correctness, each judge's solution score and first error,
 * failures, tokens. Built from finished runs, one problem at a time.
 */
import { z } from 'zod';
import { AGGREGATIONS, type Aggregation } from './config.js';
import { isScoreJudge, judgeThreshold, scoredAnyStep, type ThresholdSettings } from './judgements.js';
import { firstStepBelow } from './processbench.js';
import { aggregateScores } from './rerank.js';
import {
  type JudgeInfo,
  JudgeInfoSchema,
  type Judgement,
  type Run,
  type Sample,
  UsageSchema,
} from './schemas.js';

export const DATASET_SCHEMA_VERSION = 1;

const JudgeSummarySchema = z.object({
  /** The solution score by the run's aggregation; null when the judge gave no judgement. */
  score: z.number().min(0).max(1).nullable(),
  /** The judge's first error at its τ (−1: none); null when it gave no verdict. */
  firstError: z.number().int().min(-1).nullable(),
  /** The judge failed on this sample (request failed, or nothing scored): never "no error". */
  failed: z.literal(true).optional(),
  /** The solution score under every aggregation, for rerankers that compare them. */
  byAggregation: z.record(z.enum(AGGREGATIONS), z.number().min(0).max(1).nullable()).optional(),
});

const SampleSummarySchema = z.object({
  index: z.number().int().min(0),
  answer: z.string().nullable(),
  /** Against the problem's reference; absent when it has none. */
  correct: z.boolean().optional(),
  /** Sampling failed: no answer, never a vote. */
  failed: z.literal(true).optional(),
  steps: z.number().int().min(0),
  usage: UsageSchema.optional(),
  judges: z.record(z.string(), JudgeSummarySchema),
});

export const DatasetProblemSchema = z.object({
  id: z.string(),
  /** The run file under `runs/`, relative to the dataset folder. */
  run: z.string(),
  subset: z.string().optional(),
  reference: z.string().nullable(),
  samples: z.array(SampleSummarySchema),
  /** Tokens of every request for this problem: sampling, and each judge's. */
  usage: z.object({ sampling: UsageSchema, judges: z.record(z.string(), UsageSchema) }),
});

export const DatasetIndexSchema = z.object({
  schemaVersion: z.literal(DATASET_SCHEMA_VERSION),
  /** k_max: samples asked per problem. */
  samplesPerProblem: z.number().int().min(1),
  /** Problems read from the files (finished or not; excluded rows not counted). */
  problemsTotal: z.number().int().min(0),
  judges: z.array(JudgeInfoSchema),
  /** τ each judge's first errors were read at. */
  thresholds: z.record(z.string(), z.number().min(0).max(1)),
  /** Tokens of the finished problems by source: `sampling` and each judge id. */
  usage: z.record(z.string(), UsageSchema),
  /** Their cost at the config's prices (US dollars); sources without a price are named, not counted. */
  cost: z.object({
    total: z.number().min(0).nullable(),
    bySource: z.record(z.string(), z.number().min(0)),
    unpriced: z.array(z.string()),
  }),
  /** Every problem has finished; otherwise `problems` holds the finished ones only. */
  complete: z.boolean(),
  problems: z.array(DatasetProblemSchema),
  /** Problems read but not run: each with file, row and why (a malformed row, a duplicate id). */
  excluded: z.array(z.string()),
});

export type DatasetProblem = z.infer<typeof DatasetProblemSchema>;
export type DatasetIndex = z.infer<typeof DatasetIndexSchema>;
export type Usage = z.infer<typeof UsageSchema>;

export const NO_USAGE: Usage = { promptTokens: 0, completionTokens: 0 };

export function sumUsage(a: Usage | undefined, b: Usage | undefined): Usage {
  const reasoning = (a?.reasoningTokens ?? 0) + (b?.reasoningTokens ?? 0);
  const hasReasoning = a?.reasoningTokens !== undefined || b?.reasoningTokens !== undefined;
  return {
    promptTokens: (a?.promptTokens ?? 0) + (b?.promptTokens ?? 0),
    completionTokens: (a?.completionTokens ?? 0) + (b?.completionTokens ?? 0),
    ...(hasReasoning ? { reasoningTokens: reasoning } : {}),
  };
}

/** How the index reads stored judgements: the current τ per judge and aggregation (a RunConfig fits). */
export interface ReadingSettings extends ThresholdSettings {
  aggregate: Aggregation;
}

const NO_VERDICT = { score: null, firstError: null, failed: true as const };

/**
 * One judge's summary of one sample, read afresh at the current τ and aggregation (never the ones
 * stored with the run, so problems run under other settings are read alike). A score judge's first
 * error is its first step below τ; a step left unscored before it (past the input budget) leaves no
 * verdict, never "error-free", as in the judge evaluation.
 */
function judgeSummary(
  kind: JudgeInfo['kind'] | undefined,
  judgement: Judgement | undefined,
  threshold: number,
  aggregate: Aggregation,
): z.infer<typeof JudgeSummarySchema> {
  if (!judgement || judgement.error !== undefined || !scoredAnyStep(judgement)) return NO_VERDICT;
  const firstError = isScoreJudge(kind)
    ? firstStepBelow(judgement.stepScores, threshold)
    : judgement.firstError;
  if (firstError === null) return NO_VERDICT;
  const byAggregation = Object.fromEntries(
    AGGREGATIONS.map((method) => [method, aggregateScores(judgement.stepScores, method)]),
  ) as Record<Aggregation, number | null>;
  return { score: byAggregation[aggregate], firstError, byAggregation };
}

function sampleSummary(
  run: Run,
  sample: Sample,
  reading: ReadingSettings,
): z.infer<typeof SampleSummarySchema> {
  const judges: Record<string, z.infer<typeof JudgeSummarySchema>> = {};
  if (!sample.error) {
    for (const judge of run.judges)
      judges[judge.id] = judgeSummary(
        judge.kind,
        sample.judgements[judge.id],
        judgeThreshold(reading, judge.id),
        reading.aggregate,
      );
  }
  return {
    index: sample.index,
    answer: sample.error ? null : sample.answer,
    ...(sample.correct !== undefined && !sample.error ? { correct: sample.correct } : {}),
    ...(sample.error ? { failed: true as const } : {}),
    steps: sample.steps.length,
    ...(sample.usage ? { usage: sample.usage } : {}),
    judges,
  };
}

/** One finished run as its dataset index entry, read at the given τ and aggregation. */
export function datasetProblem(
  run: Run,
  runPath: string,
  reading: ReadingSettings,
  subset?: string,
): DatasetProblem {
  let sampling = sumUsage(NO_USAGE, run.samplingUsage);
  const judges: Record<string, Usage> = {};
  for (const sample of run.samples) {
    sampling = sumUsage(sampling, sample.usage);
    for (const [id, judgement] of Object.entries(sample.judgements))
      if (judgement.usage) judges[id] = sumUsage(judges[id], judgement.usage);
  }
  return {
    id: run.problem.id,
    run: runPath,
    ...(subset !== undefined ? { subset } : {}),
    reference: run.problem.reference ?? null,
    samples: [...run.samples]
      .sort((a, b) => a.index - b.index)
      .map((sample) => sampleSummary(run, sample, reading)),
    usage: { sampling, judges },
  };
}

/** Tokens of problems by source: `sampling`, then each judge id. */
export function datasetUsage(problems: readonly DatasetProblem[]): Record<string, Usage> {
  const bySource: Record<string, Usage> = { sampling: NO_USAGE };
  for (const problem of problems) {
    bySource.sampling = sumUsage(bySource.sampling, problem.usage.sampling);
    for (const [judge, usage] of Object.entries(problem.usage.judges))
      bySource[judge] = sumUsage(bySource[judge], usage);
  }
  return bySource;
}
