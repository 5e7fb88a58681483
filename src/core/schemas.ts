/**
 * The files StepLens writes, as zod schemas: the Run (one analysis) and the audit events (one
 * label change per JSONL line). `scripts/export-schemas.ts` publishes them as JSON Schema under
 * `schemas/` so other tools can validate run files.
 */
import { z } from 'zod';
import { RunConfigSchema } from './config.js';
import { SafeIdSchema } from './ids.js';
import { ProblemSchema } from './problems.js';
import { SCHEMA_VERSION } from './schemaVersion.js';

export { SCHEMA_VERSION };

const Probability = z.number().min(0).max(1);
const StepIndex = z.number().int().min(0);
/** Index of the earliest wrong step; −1 means no error found. */
const FirstError = z.number().int().min(-1);

export const JUDGE_KINDS = [
  'self-critic',
  'self-stepwise',
  'vllm-pooling',
  'chat-critic',
  'rlhflow',
] as const;

export const JudgeInfoSchema = z.object({
  /** "self" for Self-PRM, the PRM's configured id otherwise. */
  id: SafeIdSchema,
  kind: z.enum(JUDGE_KINDS),
  model: z.string(),
});

export const UsageSchema = z.object({
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  reasoningTokens: z.number().int().min(0).optional(),
});

export const JudgementSchema = z.object({
  /** One score per step: the probability the solution is still correct up to this step; null = unscored. */
  stepScores: z.array(Probability.nullable()),
  /** null when the judgement is no verdict (`error` set): "no judgement", never "no error". */
  firstError: FirstError.nullable(),
  /** Step scores aggregated by the run's aggregation; null when no step was scored. */
  solutionScore: Probability.nullable().optional(),
  /** Critic judges: each critique's first-error index, null where the critique could not be parsed. */
  verdicts: z.array(FirstError.nullable()).optional(),
  /** The judge's raw outputs, kept for audit. */
  raw: z.array(z.string()).optional(),
  /**
   * The processbench protocol's critics: each critique's last `\boxed{}` content as ProcessBench
   * extracts it (null: none), in critique order.
   */
  boxed: z.array(z.string().nullable()).optional(),
  /**
   * The processbench protocol's critics: the prediction by its rules, also an index no step has
   * (a miss); null when the winning string is no integer or no critique had a box.
   */
  prediction: z.number().int().nullable().optional(),
  /** Steps from this index on did not fit the judge's input budget and are unscored. */
  unscoredFrom: StepIndex.optional(),
  latencyMs: z.number().min(0).optional(),
  /** Tokens of the judge's chat requests, summed, where the server reported them. */
  usage: UsageSchema.optional(),
  /**
   * Set when the judge gave no judgement on this sample: it failed, or scored no step (a judgement
   * without one scored step is never read as "no error"). Scores are then all null.
   */
  error: z.string().optional(),
});

export const SampleSchema = z.object({
  index: z.number().int().min(0),
  /** The answer text (reasoning trace removed), as split into steps. */
  text: z.string(),
  reasoning: z.string().optional(),
  steps: z.array(z.string()),
  answer: z.string().nullable(),
  /** Whether the answer matches the problem's reference; absent when no reference is known. */
  correct: z.boolean().optional(),
  finishReason: z.string().nullable().optional(),
  usage: UsageSchema.optional(),
  latencyMs: z.number().min(0).optional(),
  /** Set when sampling failed: the sample then has no text and no judgements. */
  error: z.string().optional(),
  /**
   * The run was cancelled while this sample was being written: text, reasoning and steps are what
   * had streamed by then (finishReason "cancelled"). It has no answer and is never judged or voted.
   */
  cancelled: z.literal(true).optional(),
  /** Keyed by judge id. */
  judgements: z.record(SafeIdSchema, JudgementSchema),
});

export const RERANK_METHODS = ['majority', 'prm-best-of-n', 'prm-weighted', 'self-prm'] as const;

export const RerankPickSchema = z.object({
  method: z.enum(RERANK_METHODS),
  /** The judge whose scores decided, for the PRM methods. */
  judge: SafeIdSchema.optional(),
  sample: z.number().int().min(0).nullable(),
  answer: z.string().nullable(),
  correct: z.boolean().optional(),
  /** Self-PRM found no sample it judged error-free and fell back to plain majority. */
  fallback: z.boolean().optional(),
  tie: z.boolean().optional(),
  /**
   * Judge-based methods: samples left out because the judge gave no judgement on them (it failed,
   * scored no step, or never ran) — never counted as "no error".
   */
  unjudged: z.number().int().min(0).optional(),
  rule: z.string(),
});

export const RUN_STATUSES = ['running', 'complete', 'cancelled'] as const;

export const RunSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Names the run file and its audit log: one safe path component. */
  id: SafeIdSchema,
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  status: z.enum(RUN_STATUSES),
  problem: ProblemSchema,
  config: RunConfigSchema,
  judges: z.array(JudgeInfoSchema),
  samples: z.array(SampleSchema),
  /**
   * Tokens of sampling requests that served several samples at once: such a request's usage is
   * reported for all its choices together, so it is kept here rather than split among them.
   */
  samplingUsage: UsageSchema.optional(),
  rerank: z.array(RerankPickSchema),
});

export type JudgeInfo = z.infer<typeof JudgeInfoSchema>;
export type Judgement = z.infer<typeof JudgementSchema>;
export type Sample = z.infer<typeof SampleSchema>;
export type RerankPick = z.infer<typeof RerankPickSchema>;
export type Run = z.infer<typeof RunSchema>;

// ---------------------------------------------------------------------------------------------
// Audit events: the append-only log beside a run. Current labels = replay of the log; a null value
// clears that one label, a `clear` event clears all labels of a step (or of a whole sample).

/**
 * Who labelled: a display name (git's user.name, the OS user, or the `steplens.annotator` setting),
 * never a path. Events written before annotators existed carry none: see core/annotators.ts.
 */
export const AnnotatorSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'an annotator name has no control characters');

const EventBase = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  at: z.iso.datetime(),
  sample: z.number().int().min(0),
  annotator: AnnotatorSchema.optional(),
  /** Set on a label that settles a disagreement between annotators; `annotator` is then the adjudicator. */
  adjudicated: z.literal(true).optional(),
};

export const STEP_RATINGS = [-1, 0, 1] as const;
export const WHO_WAS_RIGHT = ['self', 'prm', 'both', 'neither'] as const;

export const AuditEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stepRating'),
    ...EventBase,
    step: StepIndex,
    /** PRM800K's meaning: +1 good, 0 neutral, −1 wrong. */
    rating: z.union([z.literal(-1), z.literal(0), z.literal(1)]).nullable(),
  }),
  z.object({
    type: z.literal('whoWasRight'),
    ...EventBase,
    step: StepIndex,
    /** The PRM judge compared with self. */
    judge: SafeIdSchema,
    who: z.enum(WHO_WAS_RIGHT).nullable(),
  }),
  z.object({
    type: z.literal('firstError'),
    ...EventBase,
    /** The human first-error index for the sample, −1 = no error; null clears it. */
    step: FirstError.nullable(),
  }),
  z.object({
    type: z.literal('note'),
    ...EventBase,
    step: StepIndex.optional(),
    text: z.string(),
  }),
  z.object({
    type: z.literal('clear'),
    ...EventBase,
    step: StepIndex.optional(),
  }),
]);

export type AuditEvent = z.infer<typeof AuditEventSchema>;
