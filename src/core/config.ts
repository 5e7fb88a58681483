/**
 * The analysis configuration: the `steplens.json` file of the CLI and the shape the extension's
 * settings map onto. Keys are never part of it: `apiKeyEnv` names the environment variable that
 * holds one.
 */
import { z } from 'zod';
import { SafeIdSchema } from './ids.js';
import { STEP_STRATEGIES } from './steps.js';

const EndpointUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * An endpoint's base URL, or the base URLs of its replicas (vLLM servers of one model, with one key
 * variable, behind no balancer): requests are spread over them and a failing one is backed off.
 * Kept as written, so run files of one URL stay as they were; `endpointUrls` gives the list.
 */
const EndpointUrls = z
  .union(
    [
      EndpointUrl,
      z
        .array(EndpointUrl)
        .min(1, 'needs at least one URL')
        .refine((urls) => new Set(urls).size === urls.length, 'lists a URL twice'),
    ],
    { error: 'must be an http(s) URL or a non-empty list of them' },
  )
  .describe('The base URL, or a list of base URLs of replicas serving the same model with the same key.');

/** The base URLs of an endpoint: one, or each replica's, in the order the config lists them. */
export function endpointUrls(endpoint: { baseUrl: string | readonly string[] }): string[] {
  return typeof endpoint.baseUrl === 'string' ? [endpoint.baseUrl] : [...endpoint.baseUrl];
}

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

/** What an endpoint charges, for cost figures and `--max-cost`; reasoning tokens bill as output. */
export const PriceSchema = z
  .strictObject({
    inputPerMillion: z.number().min(0),
    outputPerMillion: z.number().min(0),
  })
  .describe('US dollars per million input (prompt) and output (completion, reasoning included) tokens');
export type Price = z.infer<typeof PriceSchema>;

export const PolicyConfigSchema = z.strictObject({
  baseUrl: EndpointUrls,
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
  /** Sampling and Self-PRM both go to this endpoint: its price covers both. */
  price: PriceSchema.optional(),
});

export const SELF_JUDGE_MODES = ['critic', 'stepwise', 'off'] as const;

/**
 * How critics are asked and read. `steplens`: StepLens's own prompt, k critiques at the configured
 * temperature, ties to the earliest flagged step. `processbench`: the user's ProcessBench template,
 * greedy or voting as ProcessBench samples, its extraction and tie rules (src/core/processbench.ts).
 */
export const PROTOCOLS = ['steplens', 'processbench'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Critic temperature under the steplens protocol when the config names none. */
export const DEFAULT_CRITIC_TEMPERATURE = 0.6;

const CriticTemperature = z
  .number()
  .min(0)
  .max(2)
  .optional()
  .describe(
    `Sampling temperature of the critiques; default ${DEFAULT_CRITIC_TEMPERATURE}. The processbench protocol sets its own (0 greedy, 1 voting) and refuses this key.`,
  );

const CritiqueTemplate = z
  .string()
  .min(1)
  .optional()
  .describe(
    'processbench protocol only: the critique template file (ProcessBench templates/critique_template.txt); a relative path is relative to the config file.',
  );

export const SelfJudgeConfigSchema = z.strictObject({
  mode: z.enum(SELF_JUDGE_MODES).default('critic'),
  /** k: critiques per sample in critic mode. */
  samples: z.number().int().min(1).max(64).default(4),
  /** Ask for JSON through response_format; the boxed-index parse stays the fallback. */
  structuredOutput: z.boolean().default(false),
  temperature: CriticTemperature,
  maxTokens: z.number().int().positive().default(8192),
  template: CritiqueTemplate,
});

const JudgeId = SafeIdSchema.refine((id) => id !== 'self', 'is reserved for the Self-PRM judge');

const PrmCommon = {
  id: JudgeId,
  baseUrl: EndpointUrls,
  model: z.string().min(1),
  apiKeyEnv: EnvName.optional(),
  timeoutMs: z.number().int().positive().default(300_000),
  requestDeadlineMs: RequestDeadline,
  maxRetries: z.number().int().min(0).max(10).default(4),
  concurrency: z.number().int().min(1).max(256).default(4),
  /** This PRM's own τ; absent: the run's τ. */
  threshold: z.number().min(0).max(1).optional(),
  price: PriceSchema.optional(),
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
    temperature: CriticTemperature,
    maxTokens: z.number().int().positive().default(8192),
    template: CritiqueTemplate,
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
    protocol: z.enum(PROTOCOLS).default('steplens'),
    selfJudge: SelfJudgeConfigSchema.default({
      mode: 'critic',
      samples: 4,
      structuredOutput: false,
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
    for (const issue of protocolIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
  });

interface CriticSettingsInput {
  samples: number;
  structuredOutput: boolean;
  temperature?: number | undefined;
  template?: string | undefined;
}

/** Settings a protocol cannot honour are refused, never silently ignored. */
function protocolIssues(config: {
  protocol: Protocol;
  selfJudge: CriticSettingsInput & { mode: (typeof SELF_JUDGE_MODES)[number] };
  prms: readonly ({ kind: string } & Partial<CriticSettingsInput>)[];
}): { path: (string | number)[]; message: string }[] {
  const critics: { path: (string | number)[]; settings: Partial<CriticSettingsInput> }[] = [];
  if (config.selfJudge.mode === 'critic') critics.push({ path: ['selfJudge'], settings: config.selfJudge });
  config.prms.forEach((prm, index) => {
    if (prm.kind === 'chat-critic') critics.push({ path: ['prms', index], settings: prm });
  });
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (config.protocol === 'steplens') {
    const withTemplate = [
      ...(config.selfJudge.template !== undefined ? [['selfJudge']] : []),
      ...config.prms.flatMap((prm, index) => (prm.template !== undefined ? [['prms', index]] : [])),
    ] as (string | number)[][];
    for (const path of withTemplate)
      issues.push({
        path: [...path, 'template'],
        message: 'a critique template is read only under "protocol": "processbench"',
      });
    return issues;
  }
  if (config.selfJudge.mode === 'stepwise')
    issues.push({
      path: ['selfJudge', 'mode'],
      message: 'the processbench protocol judges by critique: use mode "critic" (or "off")',
    });
  for (const { path, settings } of critics) {
    if (settings.template === undefined)
      issues.push({
        path: [...path, 'template'],
        message:
          'the processbench protocol needs the critique template file (ProcessBench: templates/critique_template.txt)',
      });
    if (settings.temperature !== undefined)
      issues.push({
        path: [...path, 'temperature'],
        message:
          'the processbench protocol sets the temperature itself (0 for one critique, 1 with top_p 0.9 for voting); remove this key',
      });
    if (settings.structuredOutput)
      issues.push({
        path: [...path, 'structuredOutput'],
        message:
          'the processbench protocol reads \\boxed{} from free text; structured output is not part of it',
      });
  }
  return issues;
}

/** How a critic samples its critiques under the run's protocol. */
export interface CritiqueSampling {
  /** Critiques per judgement, asked as one request with `n` where the endpoint takes it. */
  n: number;
  temperature: number;
  top_p?: number;
  maxTokens: number;
}

/**
 * ProcessBench samples one critique greedily, or votes over k at temperature 1 and top_p 0.9
 * (code/run_eval.py); StepLens's own protocol uses the configured temperature.
 */
export function critiqueSampling(
  protocol: Protocol,
  settings: { samples: number; temperature?: number | undefined; maxTokens: number },
): CritiqueSampling {
  if (protocol === 'processbench')
    return settings.samples === 1
      ? { n: 1, temperature: 0, maxTokens: settings.maxTokens }
      : { n: settings.samples, temperature: 1, top_p: 0.9, maxTokens: settings.maxTokens };
  return {
    n: settings.samples,
    temperature: settings.temperature ?? DEFAULT_CRITIC_TEMPERATURE,
    maxTokens: settings.maxTokens,
  };
}

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

/** A base URL or each of a list, without credentials, in the same shape. */
function baseUrlWithoutCredentials(baseUrl: string | string[]): string | string[] {
  return typeof baseUrl === 'string' ? urlWithoutCredentials(baseUrl) : baseUrl.map(urlWithoutCredentials);
}

/** The config as a run file stores it: endpoint URLs without credentials (keys are never in it). */
export function withoutCredentials(config: RunConfig): RunConfig {
  return {
    ...config,
    policy: { ...config.policy, baseUrl: baseUrlWithoutCredentials(config.policy.baseUrl) },
    prms: config.prms.map((prm) => ({ ...prm, baseUrl: baseUrlWithoutCredentials(prm.baseUrl) })),
  };
}

/**
 * What of a PRM's config decides its judgements: everything but where its requests go and how they
 * are paced (URLs, key variable, concurrency, timeouts, retries, batch size), its τ and its price.
 * Two result folders made with equal ones are comparable.
 */
export function judgingPrm(prm: PrmConfig): Record<string, unknown> {
  const {
    baseUrl: _baseUrl,
    apiKeyEnv: _apiKeyEnv,
    concurrency: _concurrency,
    timeoutMs: _timeoutMs,
    requestDeadlineMs: _deadline,
    maxRetries: _maxRetries,
    threshold: _threshold,
    price: _price,
    ...kept
  } = prm;
  const { batchSize: _batchSize, ...judging } = kept as typeof kept & { batchSize?: number };
  return judging;
}
