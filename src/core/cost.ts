/**
 * What one analysis asks of the endpoints, before anything is sent: the number of requests and the
 * most completion tokens they may produce. Steps are unknown before sampling, so judges that send
 * one request per step are counted per step and said so.
 */
import type { Price, RunConfig } from './config.js';
import { count } from './progress.js';

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
  const perStep = (n: number) => (n > 0 ? ` + ${count(n)} per step` : '');
  return `up to ${count(estimate.requests)} requests${perStep(estimate.requestsPerStep)} and ${count(estimate.maxCompletionTokens)}${perStep(estimate.maxCompletionTokensPerStep)} completion tokens per problem`;
}

/** Tokens of requests, as run files and the dataset index count them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number | undefined;
}

/** What tokens cost at a price (reasoning tokens are part of the completion tokens, billed as output). */
export function usageCost(usage: TokenUsage, price: Price): number {
  return (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1e6;
}

/** The source of a run's tokens: its sampling, or a judge by id. */
export const SAMPLING = 'sampling';

/**
 * The price of each source's endpoint: sampling and Self-PRM go to the policy's endpoint, each
 * PRM to its own. A source without a price is absent.
 */
export function pricesBySource(config: RunConfig): Record<string, Price> {
  const prices: Record<string, Price> = {};
  if (config.policy.price) {
    prices[SAMPLING] = config.policy.price;
    prices.self = config.policy.price;
  }
  for (const prm of config.prms) if (prm.price) prices[prm.id] = prm.price;
  return prices;
}

export interface CostFigure {
  /** US dollars over the priced sources; null when no source has a price. */
  total: number | null;
  bySource: Record<string, number>;
  /** Sources with tokens but no price: left out of the total, named so it is never mistaken for complete. */
  unpriced: string[];
}

export function costOf(
  usageBySource: Readonly<Record<string, TokenUsage>>,
  prices: Record<string, Price>,
): CostFigure {
  const bySource: Record<string, number> = {};
  const unpriced: string[] = [];
  for (const [source, usage] of Object.entries(usageBySource)) {
    const price = prices[source];
    if (price) bySource[source] = usageCost(usage, price);
    else if (usage.promptTokens + usage.completionTokens > 0) unpriced.push(source);
  }
  const priced = Object.values(bySource);
  return {
    total: priced.length === 0 ? null : priced.reduce((sum, cost) => sum + cost, 0),
    bySource,
    unpriced: unpriced.sort(),
  };
}
