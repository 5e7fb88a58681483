/** The judges a configuration asks for, each behind one interface the pipeline drives. */
import {
  critiqueSampling,
  DEFAULT_CRITIC_TEMPERATURE,
  endpointUrls,
  type RunConfig,
} from '../core/config.js';
import { judgeThreshold } from '../core/judgements.js';
import type { CritiqueTemplates } from '../core/processbench.js';
import { SELF_JUDGE_ID } from '../core/rerank.js';
import type { JudgeInfo, Judgement } from '../core/schemas.js';
import { ChatEndpoint } from './chat.js';
import { type CritiquePlan, processBenchCritique, runCritique, steplensCritique } from './critic.js';
import { judgeRlhflow, judgeRlhflowProcessBench, judgeStepwise } from './logprobJudges.js';
import { PoolingPrm } from './pooling.js';
import type { AttemptAdmission, RetryEvent } from './retry.js';

export interface Judge {
  info: JudgeInfo;
  /**
   * Scores one solution's steps. Rejects on failure, or resolves with `error` set when it gave no
   * judgement (no step scored); the pipeline records either as an error on the sample.
   */
  judge(problem: string, steps: readonly string[], signal?: AbortSignal): Promise<Judgement>;
}

/** Where a key would be sent (one base URL: a replica's), and the environment variable the config names for it. */
export interface KeyRequest {
  baseUrl: string;
  apiKeyEnv?: string | undefined;
}

/**
 * Finds the key for an endpoint: from the environment variable the config names (the CLI), or
 * from SecretStorage first (the extension). Never from the config itself.
 */
export type KeyResolver = (request: KeyRequest) => string | undefined;

export const environmentKeys: KeyResolver = ({ apiKeyEnv }) =>
  (apiKeyEnv && process.env[apiKeyEnv]) || undefined;

export interface EndpointTuning {
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  lingerMs?: number;
  onRetry?: (event: RetryEvent & { endpoint: string }) => void;
  /** Every request attempt to any endpoint, before it is sent (see AttemptAdmission). */
  onAttempt?: (endpoint: string) => AttemptAdmission;
}

interface EndpointSettings {
  /** One URL, or each replica's. */
  baseUrl: string | readonly string[];
  apiKeyEnv?: string | undefined;
  model: string;
  timeoutMs: number;
  requestDeadlineMs?: number | undefined;
  maxRetries: number;
  concurrency: number;
}

/** The connection options every endpoint client takes, from its config entry and the tuning. */
function endpointOptions(endpoint: EndpointSettings, resolveKey: KeyResolver, tuning: EndpointTuning) {
  const urls = endpointUrls(endpoint);
  // A key per URL: a key store keyed by origin may hold one per replica host.
  const keys = urls.map((baseUrl) => resolveKey({ baseUrl, apiKeyEnv: endpoint.apiKeyEnv }));
  return {
    baseUrl: urls,
    model: endpoint.model,
    ...(keys.some((key) => key !== undefined) ? { apiKey: keys } : {}),
    timeoutMs: endpoint.timeoutMs,
    // Absent: the endpoint's default deadline.
    requestDeadlineMs: endpoint.requestDeadlineMs,
    maxRetries: endpoint.maxRetries,
    concurrency: endpoint.concurrency,
    ...(tuning.backoff ? { backoff: tuning.backoff } : {}),
    ...(tuning.onRetry ? { onRetry: tuning.onRetry } : {}),
    ...(tuning.onAttempt ? { onAttempt: tuning.onAttempt } : {}),
  };
}

export function createPolicyEndpoint(
  config: RunConfig,
  resolveKey: KeyResolver,
  tuning: EndpointTuning = {},
): ChatEndpoint {
  return new ChatEndpoint(endpointOptions(config.policy, resolveKey, tuning));
}

/** How a critic asks for one judgement, under the run's protocol: StepLens's prompt or the user's ProcessBench template. */
export type CritiquePlanner = (problem: string, steps: readonly string[]) => CritiquePlan;

function planner(
  config: RunConfig,
  id: string,
  settings: {
    samples: number;
    temperature?: number | undefined;
    maxTokens: number;
    structuredOutput: boolean;
  },
  templates: CritiqueTemplates,
): CritiquePlanner {
  const sampling = critiqueSampling(config.protocol, settings);
  if (config.protocol === 'steplens') {
    const asked = { ...sampling, structuredOutput: settings.structuredOutput };
    return (problem, steps) => steplensCritique(problem, steps, asked);
  }
  const template = templates[id];
  // The config schema demands a template path under this protocol; its text is the caller's to read.
  if (template === undefined) throw new Error(`no critique template was loaded for judge "${id}"`);
  return (problem, steps) => processBenchCritique(template, problem, steps, sampling);
}

/**
 * The critic judges of a config (Self-PRM in critic mode, chat-critic PRMs) by id, each with the
 * model its requests name and how it plans one judgement; the other judges are not critics.
 */
export function critiquePlanners(
  config: RunConfig,
  templates: CritiqueTemplates = {},
): Map<string, { model: string; plan: CritiquePlanner }> {
  const planners = new Map<string, { model: string; plan: CritiquePlanner }>();
  if (config.selfJudge.mode === 'critic')
    planners.set(SELF_JUDGE_ID, {
      model: config.policy.model,
      plan: planner(config, SELF_JUDGE_ID, config.selfJudge, templates),
    });
  for (const prm of config.prms)
    if (prm.kind === 'chat-critic')
      planners.set(prm.id, { model: prm.model, plan: planner(config, prm.id, prm, templates) });
  return planners;
}

/** A critic judge: its planned request sent through the endpoint. */
function critic(
  config: RunConfig,
  id: string,
  endpoint: ChatEndpoint,
  settings: Parameters<typeof planner>[2],
  templates: CritiqueTemplates,
): Judge['judge'] {
  const plan = planner(config, id, settings, templates);
  return (problem, steps, signal) => runCritique(endpoint, plan(problem, steps), signal);
}

/** Self-PRM on the policy's own endpoint (sharing its concurrency limit), then every PRM. */
export function createJudges(
  config: RunConfig,
  policy: ChatEndpoint,
  resolveKey: KeyResolver,
  tuning: EndpointTuning = {},
  templates: CritiqueTemplates = {},
): Judge[] {
  const judges: Judge[] = [];
  const self = config.selfJudge;
  if (self.mode === 'critic') {
    judges.push({
      info: { id: SELF_JUDGE_ID, kind: 'self-critic', model: config.policy.model },
      judge: critic(config, SELF_JUDGE_ID, policy, self, templates),
    });
  } else if (self.mode === 'stepwise') {
    judges.push({
      info: { id: SELF_JUDGE_ID, kind: 'self-stepwise', model: config.policy.model },
      judge: (problem, steps, signal) =>
        judgeStepwise(
          policy,
          problem,
          steps,
          {
            threshold: judgeThreshold(config, SELF_JUDGE_ID),
            maxTokens: self.maxTokens,
            temperature: self.temperature ?? DEFAULT_CRITIC_TEMPERATURE,
          },
          signal,
        ),
    });
  }

  for (const prm of config.prms) {
    const common = endpointOptions(prm, resolveKey, tuning);
    const info: JudgeInfo = { id: prm.id, kind: prm.kind, model: prm.model };
    const threshold = judgeThreshold(config, prm.id);
    switch (prm.kind) {
      case 'vllm-pooling': {
        const client = new PoolingPrm({
          ...common,
          batchSize: prm.batchSize,
          maxInputTokens: prm.maxInputTokens,
          threshold,
          lingerMs: tuning.lingerMs,
        });
        judges.push({ info, judge: (problem, steps, signal) => client.judge(problem, steps, signal) });
        break;
      }
      case 'chat-critic': {
        judges.push({ info, judge: critic(config, prm.id, new ChatEndpoint(common), prm, templates) });
        break;
      }
      case 'rlhflow': {
        const endpoint = new ChatEndpoint(common);
        judges.push({
          info,
          judge:
            config.protocol === 'processbench'
              ? (problem, steps, signal) =>
                  judgeRlhflowProcessBench(endpoint, problem, steps, prm.maxInputTokens, signal)
              : (problem, steps, signal) =>
                  judgeRlhflow(endpoint, problem, steps, prm.maxInputTokens, threshold, signal),
        });
        break;
      }
    }
  }
  return judges;
}
