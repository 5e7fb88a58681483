/**
 * Qwen2.5-Math-PRM (7B/72B) served by vLLM's `/pooling`: the solution's steps joined by
 * `<extra_0>`, one `[P(wrong), P(right)]` pair back per step. Samples arriving close together are
 * sent in one request (`input` as a list, the chat template rendered here); a server that takes
 * one conversation per request gets `messages`, one sample each.
 */
import { z } from 'zod';
import { firstErrorFromScores } from '../core/metrics.js';
import type { Judgement } from '../core/schemas.js';
import { fitSteps } from './budget.js';
import {
  CancelledError,
  EndpointError,
  errorBodyMessage,
  isRetryableStatus,
  parseRetryAfter,
  transportError,
} from './errors.js';
import { Limiter } from './limiter.js';
import {
  endpointKey,
  endpointLabel,
  type ReplicaAccess,
  type ReplicaBackoff,
  Replicas,
  replicaAccesses,
  withReplicas,
} from './replicas.js';
import { type AttemptAdmission, type EndpointRetrySettings, type RetryEvent, retryPolicy } from './retry.js';

/** vLLM serves /pooling at the server root; a base URL given with /v1 is accepted too. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export const PRM_SYSTEM_PROMPT = 'Please reason step by step, and put your final answer within \\boxed{}.';
export const STEP_SEPARATOR = '<extra_0>';

export function poolingMessages(problem: string, steps: readonly string[]) {
  return [
    { role: 'system', content: PRM_SYSTEM_PROMPT },
    { role: 'user', content: problem },
    { role: 'assistant', content: `${steps.join(STEP_SEPARATOR)}${STEP_SEPARATOR}` },
  ];
}

/** The Qwen2 chat template applied to poolingMessages, for requests that carry several inputs. */
export function renderQwenChat(problem: string, steps: readonly string[]): string {
  return `${poolingMessages(problem, steps)
    .map((message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`)
    .join('')}<|endoftext|>`;
}

const Probability = z.number().min(0).max(1);
const PoolingResponse = z.object({
  data: z.array(z.object({ index: z.number().int().min(0).optional(), data: z.unknown() })),
});
const NestedPairs = z.array(z.tuple([Probability, Probability]));
const Flat = z.array(Probability);

/**
 * P(right) per step from one input's pooling output: nested `[[p_wrong, p_right], …]`, or flat —
 * either one P(right) per step or the pairs run together. Any other count is an error, never padded.
 */
export function stepRewards(output: unknown, stepsSent: number): number[] {
  const nested = NestedPairs.safeParse(output);
  let rewards: number[] | undefined;
  if (nested.success) rewards = nested.data.map(([, right]) => right);
  else {
    const flat = Flat.safeParse(output);
    if (!flat.success)
      throw new EndpointError(
        'the PRM returned data that is neither [[p_wrong, p_right], …] nor a flat list of probabilities',
        // Stryker disable next-line BooleanLiteral: thrown outside the retry loop; nothing reads `retryable`
        false,
      );
    rewards = flat.data.length === 2 * stepsSent ? flat.data.filter((_, i) => i % 2 === 1) : flat.data;
  }
  if (rewards.length !== stepsSent) {
    throw new EndpointError(
      `the PRM returned ${rewards.length} step score(s) for ${stepsSent} step(s)`,
      // Stryker disable next-line BooleanLiteral: thrown outside the retry loop; nothing reads `retryable`
      false,
    );
  }
  return rewards;
}

export interface PoolingOptions extends EndpointRetrySettings {
  /** One base URL, or the base URLs of the PRM's replicas (batches are spread over them). */
  baseUrl: string | readonly string[];
  model: string;
  /** One key for every replica, or each replica's own, in the order of `baseUrl`. */
  apiKey?: string | readonly (string | undefined)[];
  /** Requests in flight at once across all replicas. */
  concurrency: number;
  /** How long a failing replica is left alone (default DEFAULT_REPLICA_BACKOFF). */
  replicaBackoff?: ReplicaBackoff;
  batchSize: number;
  maxInputTokens: number;
  /** τ: the first step scored below it is the first error. */
  threshold: number;
  /** How long a batch waits for more samples before it is sent. */
  lingerMs?: number;
  onRetry?: (event: RetryEvent & { endpoint: string }) => void;
  /** Every request attempt, before it is sent (see AttemptAdmission). */
  onAttempt?: (endpoint: string) => AttemptAdmission;
}

interface Pending {
  problem: string;
  steps: string[];
  resolve: (rewards: number[]) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

const refusesBatchInput = new Set<string>();

export class PoolingPrm {
  private readonly limiter: Limiter;
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Batches sent and not yet settled (retries included): at most `concurrency`. */
  private sending = 0;
  private readonly key: string;
  private readonly replicas: Replicas<ReplicaAccess>;
  /** The PRM (all its replicas) as messages name it: model and URLs, without credentials. */
  readonly label: string;

  constructor(readonly options: PoolingOptions) {
    this.limiter = new Limiter(options.concurrency);
    const accesses = replicaAccesses(options.model, options.baseUrl, options.apiKey);
    this.replicas = new Replicas(accesses, options.replicaBackoff);
    this.label = endpointLabel(options.model, accesses);
    this.key = endpointKey(options.model, accesses);
  }

  async judge(problem: string, steps: readonly string[], signal?: AbortSignal): Promise<Judgement> {
    const started = performance.now();
    const fitting = fitSteps(problem, steps, this.options.maxInputTokens, PRM_SYSTEM_PROMPT);
    if (fitting === 0) {
      throw new EndpointError(
        `the problem and the first step exceed the PRM's input budget of ${this.options.maxInputTokens} tokens`,
        // Stryker disable next-line BooleanLiteral: thrown before any request; nothing reads `retryable`
        false,
      );
    }
    const sent = steps.slice(0, fitting);
    const rewards = await new Promise<number[]>((resolve, reject) => {
      this.queue.push({ problem, steps: sent, resolve, reject, signal });
      this.schedule();
    });
    const stepScores: (number | null)[] = [
      ...rewards,
      ...Array.from({ length: steps.length - fitting }, () => null),
    ];
    return {
      stepScores,
      firstError: firstErrorFromScores(stepScores, this.options.threshold),
      ...(fitting < steps.length ? { unscoredFrom: fitting } : {}),
      latencyMs: performance.now() - started,
    };
  }

  private schedule(): void {
    if (this.queue.length >= this.options.batchSize) {
      this.flush();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.lingerMs ?? 10);
  }

  /**
   * Sends what is queued, one batch per free slot. While every slot is busy samples wait here, not
   * in partial batches at the limiter, so the batch that leaves when a slot frees is as full as it
   * can be (bench:evaluate with the PRM the slowest endpoint: 4.4 → 8.0 of 8 per request).
   */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.sending < this.options.concurrency) {
      const batch = this.queue.splice(0, this.options.batchSize);
      this.sending += 1;
      void this.send(batch).finally(() => {
        this.sending -= 1;
        // A slot is free: a full batch leaves at once, a partial one after the linger.
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    // A sample cancelled while it waited for its batch is settled here, since no request will.
    const live: Pending[] = [];
    for (const item of batch) {
      if (item.signal?.aborted) item.reject(new CancelledError());
      else live.push(item);
    }
    // The items' signals are most often one (a dataset run's): that one is used as it is, since
    // Node 20 keeps a signal made by AbortSignal.any alive as long as its sources live.
    const signals = [
      ...new Set(live.map((item) => item.signal).filter((s): s is AbortSignal => s !== undefined)),
    ];
    const signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    try {
      if (live.length > 1 && !refusesBatchInput.has(this.key)) {
        try {
          const outputs = await this.request(
            { input: live.map((item) => renderQwenChat(item.problem, item.steps)) },
            live.length,
            signal,
          );
          for (const [i, item] of live.entries())
            settle(item, () => stepRewards(outputs[i], item.steps.length));
          return;
        } catch (error) {
          if (!(error instanceof EndpointError && (error.status === 400 || error.status === 422)))
            throw error;
          refusesBatchInput.add(this.key);
        }
      }
      await Promise.all(
        live.map(async (item) => {
          try {
            const [output] = await this.request(
              { messages: poolingMessages(item.problem, item.steps) },
              1,
              item.signal,
            );
            settle(item, () => stepRewards(output, item.steps.length));
          } catch (error) {
            item.reject(error);
          }
        }),
      );
    } catch (error) {
      for (const item of live) item.reject(error);
    }
  }

  /** One POST /pooling, retried; returns each input's `data`, in input order. */
  private request(
    payload: Record<string, unknown>,
    inputs: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown[]> {
    return withReplicas(
      this.replicas,
      async (replica, attemptSignal) => {
        const { label } = replica;
        const response = await fetch(`${serverRoot(replica.baseUrl)}/pooling`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...replica.headers },
          body: JSON.stringify({ model: this.options.model, ...payload }),
          signal: attemptSignal,
        });
        const text = await response.text();
        if (!response.ok) {
          throw new EndpointError(
            `${label}: HTTP ${response.status}: ${errorBodyMessage(text)}`,
            isRetryableStatus(response.status),
            response.status,
            parseRetryAfter(response.headers),
          );
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new EndpointError(`${label}: the response is not JSON`, true);
        }
        const parsed = PoolingResponse.safeParse(json);
        if (!parsed.success) throw new EndpointError(`${label}: unexpected response shape`, false);
        const ordered = [...parsed.data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
        if (ordered.length !== inputs) {
          throw new EndpointError(`${label}: ${ordered.length} output(s) for ${inputs} input(s)`, false);
        }
        return ordered.map((entry) => entry.data);
      },
      {
        policy: retryPolicy(this.options),
        signal,
        toEndpointError: (replica, error, timedOut) => transportError(replica.label, error, timedOut),
        onRetry: (event) => this.options.onRetry?.({ ...event, endpoint: this.label }),
        onAttempt: () => this.options.onAttempt?.(this.label),
        gate: (task, gateSignal) => this.limiter.run(task, { signal: gateSignal }),
      },
    );
  }
}

function settle(item: Pending, compute: () => number[]): void {
  try {
    item.resolve(compute());
  } catch (error) {
    item.reject(error);
  }
}
