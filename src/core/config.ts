/**
 * The analysis configuration: the `steplens.json` file of the CLI and the shape the extension's
 * settings map onto. Keys are never part of it: `apiKeyEnv` names the environment variable that
 * holds one.
 */
import { z } from 'zod';
import { SafeIdSchema } from './ids.js';
import { STEP_STRATEGIES } from './steps.js';

const EndpointUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Without `requestDeadlineMs`, a request may last this many times its silence timeout. */
export const DEADLINE_PER_TIMEOUT = 3;

/**
 * How long one HTTP request may take from start to end, however steadily a stream keeps talking
 * (`timeoutMs` counts only silence). Reaching it fails the request for good: a retry would most
 * likely take as long again.
 */
const RequestDeadline = z
  .number()
  .int()
  .positive()
  .optional()
  .describe(
    'Milliseconds one request may take from start to end, however steadily a stream keeps talking; ' +
      `default ${DEADLINE_PER_TIMEOUT} × timeoutMs. Reaching it fails the request without retrying.`,
  );

/** The request deadline an endpoint config gives, explicit or by default. */
export function requestDeadlineMs(endpoint: {
  timeoutMs: number;
  requestDeadlineMs?: number | undefined;
}): number {
  return endpoint.requestDeadlineMs ?? DEADLINE_PER_TIMEOUT * endpoint.timeoutMs;
}
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const PolicyConfigSchema = z.strictObject({
  baseUrl: EndpointUrl,
  model: z.string().min(1),
  apiKeyEnv: EnvName.optional(),
  n: z.number().int().min(1).max(1024).default(8),
  temperature: z.number().min(0).max(2).default(0.6),
  topP: z.number().gt(0).max(1).default(0.95),
  maxTokens: z.number().int().positive().default(32768),
  concurrency: z.number().int().min(1).max(256).default(8),
  timeoutMs: z.number().int().positive().default(600_000),
  requestDeadlineMs: RequestDeadline,
  maxRetries: z.number().int().min(0).max(10).default(4),
});

export const SELF_JUDGE_MODES = ['critic', 'stepwise', 'off'] as const;

export const SelfJudgeConfigSchema = z.strictObject({
  mode: z.enum(SELF_JUDGE_MODES).default('critic'),
  /** k: critiques per sample in critic mode. */
  samples: z.number().int().min(1).max(64).default(4),
  /** Ask for JSON through response_format; the boxed-index parse stays the fallback. */
  structuredOutput: z.boolean().default(false),
  temperature: z.number().min(0).max(2).default(0.6),
  maxTokens: z.number().int().positive().default(8192),
});

const JudgeId = SafeIdSchema.refine((id) => id !== 'self', 'is reserved for the Self-PRM judge');

const PrmCommon = {
  id: JudgeId,
  baseUrl: EndpointUrl,
  model: z.string().min(1),
  apiKeyEnv: EnvName.optional(),
  timeoutMs: z.number().int().positive().default(300_000),
  requestDeadlineMs: RequestDeadline,
  maxRetries: z.number().int().min(0).max(10).default(4),
  concurrency: z.number().int().min(1).max(256).default(4),
  /** This PRM's own τ; absent: the run's τ. */
  threshold: z.number().min(0).max(1).optional(),
};

export const PrmConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('vllm-pooling'),
    ...PrmCommon,
    /** Token budget per request, estimated; steps beyond it stay unscored (never silently cut). */
    maxInputTokens: z.number().int().positive().default(4096),
    /** Samples sent together in one /pooling request. */
    batchSize: z.number().int().min(1).max(256).default(8),
  }),
  z.strictObject({
    kind: z.literal('chat-critic'),
    ...PrmCommon,
    samples: z.number().int().min(1).max(64).default(4),
    structuredOutput: z.boolean().default(false),
    temperature: z.number().min(0).max(2).default(0.6),
    maxTokens: z.number().int().positive().default(8192),
  }),
  z.strictObject({
    kind: z.literal('rlhflow'),
    ...PrmCommon,
    maxInputTokens: z.number().int().positive().default(4096),
  }),
]);

export const AGGREGATIONS = ['min', 'product', 'last', 'mean'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const RunConfigSchema = z
  .strictObject({
    policy: PolicyConfigSchema,
    selfJudge: SelfJudgeConfigSchema.default({
      mode: 'critic',
      samples: 4,
      structuredOutput: false,
      temperature: 0.6,
      maxTokens: 8192,
    }),
    prms: z.array(PrmConfigSchema).default([]),
    steps: z
      .strictObject({ strategy: z.enum(STEP_STRATEGIES).default('paragraph') })
      .default({ strategy: 'paragraph' }),
    aggregate: z.enum(AGGREGATIONS).default('min'),
    /**
     * τ: a step scored below it counts as wrong (a score equal to τ does not); a score judge's first
     * error is its first step below τ; also the disagreement threshold. Self-PRM always uses it, a
     * PRM unless it sets its own.
     */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.prms.forEach((prm, index) => {
      if (seen.has(prm.id))
        ctx.addIssue({
          code: 'custom',
          path: ['prms', index, 'id'],
          message: `duplicate judge id "${prm.id}"`,
        });
      seen.add(prm.id);
    });
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;
export type SelfJudgeConfig = z.infer<typeof SelfJudgeConfigSchema>;
export type PrmConfig = z.infer<typeof PrmConfigSchema>;

/** The URL without its `user:password@`: what run files, labels and messages may show. */
/** The `user:pass@` of every URL in a text (or of one URL). */
export const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

export function urlWithoutCredentials(url: string): string {
  return url.replace(URL_USERINFO, '$1');
}

/** The config as a run file stores it: endpoint URLs without credentials (keys are never in it). */
export function withoutCredentials(config: RunConfig): RunConfig {
  return {
    ...config,
    policy: { ...config.policy, baseUrl: urlWithoutCredentials(config.policy.baseUrl) },
    prms: config.prms.map((prm) => ({ ...prm, baseUrl: urlWithoutCredentials(prm.baseUrl) })),
  };
}
