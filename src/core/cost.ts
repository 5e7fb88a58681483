/**
 * What one analysis asks of the endpoints, before anything is sent: the number of requests and the
 * most completion tokens they may produce. Steps are unknown before sampling, so judges that send
 * one request per step are counted per step and said so.
 */
import type { RunConfig } from './config.js';

export interface RequestEstimate {
  /** Requests whose count does not depend on the number of steps. */
  requests: number;
  /** Requests sent once per step of every sample (stepwise Self-PRM, RLHFlow PRMs). */
  requestsPerStep: number;
  /** The most completion tokens the policy may write: samples and critiques at their limits. */
  maxCompletionTokens: number;
  /** The same for the per-step requests (stepwise Self-PRM lets a reasoning model reason per step). */
  maxCompletionTokensPerStep: number;
}

/** Upper bound for one problem: where an endpoint refuses `n`, every sample is its own request. */
export function estimateRequests(config: RunConfig): RequestEstimate {
  const samples = config.policy.n;
  let requests = samples;
  let requestsPerStep = 0;
  let maxCompletionTokens = samples * config.policy.maxTokens;
  let maxCompletionTokensPerStep = 0;
  if (config.selfJudge.mode === 'critic') {
    requests += samples * config.selfJudge.samples;
    maxCompletionTokens += samples * config.selfJudge.samples * config.selfJudge.maxTokens;
  } else if (config.selfJudge.mode === 'stepwise') {
    requestsPerStep += samples;
    maxCompletionTokensPerStep += samples * config.selfJudge.maxTokens;
  }
  for (const prm of config.prms) {
    if (prm.kind === 'vllm-pooling') requests += Math.ceil(samples / prm.batchSize);
    else if (prm.kind === 'chat-critic') requests += samples * prm.samples;
    else requestsPerStep += samples;
  }
  return { requests, requestsPerStep, maxCompletionTokens, maxCompletionTokensPerStep };
}

export function describeEstimate(estimate: RequestEstimate): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const perStep = (n: number) => (n > 0 ? ` + ${count(n)} per step` : '');
  return `up to ${count(estimate.requests)} requests${perStep(estimate.requestsPerStep)} and ${count(estimate.maxCompletionTokens)}${perStep(estimate.maxCompletionTokensPerStep)} completion tokens per problem`;
}
