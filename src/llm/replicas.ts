/**
 * The replicas of one endpoint: several base URLs serving the same model with the same key
 * (vLLM servers behind no balancer). Each attempt goes to the healthy replica with the fewest
 * attempts in flight (ties in turn, from the one after the last chosen); a replica whose attempt
 * failed in a way worth retrying (refused, reset, silent, 5xx, 429) is backed off, exponentially and
 * capped, so retries and new requests go to the others. When every replica is backed off, the one
 * that failed longest ago is tried. One URL is one replica: nothing changes for it.
 */
import { type EndpointAccess, endpointAccess } from './credentials.js';
import type { EndpointError } from './errors.js';
import {
  type AttemptAdmission,
  type RetryEvent,
  type RetryPolicy,
  type TimedOut,
  withRetries,
} from './retry.js';

export interface ReplicaBackoff {
  /** Backoff after a first failure; doubles with each failure in a row, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_REPLICA_BACKOFF: ReplicaBackoff = { baseDelayMs: 1000, maxDelayMs: 60_000 };

export class Replica<T> {
  /** Attempts sent to it and not yet over. */
  outstanding = 0;
  /** Failures in a row (a success starts again from none). */
  failures = 0;
  backedOffUntil = Number.NEGATIVE_INFINITY;
  lastFailedAt = Number.NEGATIVE_INFINITY;
  constructor(
    readonly index: number,
    readonly value: T,
  ) {}
}

export class Replicas<T> {
  readonly all: readonly Replica<T>[];
  /** Where the search for the next tie starts: the replica after the last one chosen. */
  private cursor = 0;

  constructor(
    values: readonly T[],
    private readonly backoff: ReplicaBackoff = DEFAULT_REPLICA_BACKOFF,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (values.length === 0) throw new RangeError('an endpoint needs at least one base URL');
    this.all = values.map((value, index) => new Replica(index, value));
  }

  private healthy(now: number): Replica<T>[] {
    return this.all.filter((replica) => replica.backedOffUntil <= now);
  }

  /** The replica the next attempt goes to; it counts as outstanding there until `release`. */
  acquire(): Replica<T> {
    const healthy = this.healthy(this.now());
    let chosen: Replica<T>;
    if (healthy.length === 0) {
      chosen = this.all.reduce((best, replica) =>
        replica.lastFailedAt < best.lastFailedAt ? replica : best,
      );
    } else {
      const fewest = Math.min(...healthy.map((replica) => replica.outstanding));
      const tied = healthy.filter((replica) => replica.outstanding === fewest);
      chosen = tied.find((replica) => replica.index >= this.cursor) ?? tied[0]!;
    }
    this.cursor = (chosen.index + 1) % this.all.length;
    chosen.outstanding += 1;
    return chosen;
  }

  /** The attempt is over (whatever its outcome, cancelled included). */
  release(replica: Replica<T>): void {
    replica.outstanding -= 1;
  }

  succeeded(replica: Replica<T>): void {
    replica.failures = 0;
    replica.backedOffUntil = Number.NEGATIVE_INFINITY;
  }

  /** A failure of the replica's own (not of the request): backed off, at least for its Retry-After. */
  failed(replica: Replica<T>, retryAfterMs = 0): void {
    const now = this.now();
    replica.failures += 1;
    replica.lastFailedAt = now;
    const delay = Math.min(this.backoff.maxDelayMs, this.backoff.baseDelayMs * 2 ** (replica.failures - 1));
    replica.backedOffUntil = now + Math.max(delay, retryAfterMs);
  }

  get size(): number {
    return this.all.length;
  }

  /** Whether a replica is ready to take an attempt now (a retry need not wait then). */
  anyHealthy(): boolean {
    return this.healthy(this.now()).length > 0;
  }
}

/** One replica's connection: where its requests go, how they authenticate, how messages name it. */
export interface ReplicaAccess extends EndpointAccess {
  /** `model at URL` (without credentials). */
  label: string;
  apiKey?: string;
}

/**
 * The access of each base URL. `apiKey` is one key for all, or one per URL in the same order (a key
 * store keyed by origin may hold different keys for replicas on different hosts).
 */
export function replicaAccesses(
  model: string,
  baseUrl: string | readonly string[],
  apiKey: string | readonly (string | undefined)[] | undefined,
): ReplicaAccess[] {
  const urls = typeof baseUrl === 'string' ? [baseUrl] : baseUrl;
  return urls.map((url, index) => {
    const key = typeof apiKey === 'string' || apiKey === undefined ? apiKey : apiKey[index];
    const access = endpointAccess(url, key);
    return { ...access, label: `${model} at ${access.baseUrl}`, ...(key ? { apiKey: key } : {}) };
  });
}

/** What a replica-spreading endpoint's attempt throws: the failure, and the replica it happened on. */
export class ReplicaFailure<T> extends Error {
  constructor(
    readonly replica: Replica<T>,
    readonly failure: unknown,
  ) {
    super('replica attempt failed');
  }
}

/** `model at URL` for one replica, `model at URL1, URL2` for several. */
export function endpointLabel(model: string, accesses: readonly ReplicaAccess[]): string {
  return `${model} at ${accesses.map((access) => access.baseUrl).join(', ')}`;
}

/** The endpoint's identity for what it was found to refuse: its URLs and its model. */
export function endpointKey(model: string, accesses: readonly ReplicaAccess[]): string {
  return `${accesses.map((access) => access.baseUrl.replace(/\/+$/, '')).join(',')}#${model}`;
}

/**
 * withRetries over replicas: each attempt (once admitted by the gate) goes to the replica
 * `acquire` picks; a retryable failure backs that replica off, and the retry starts at once when
 * another is healthy. `toEndpointError` names the replica the failure happened on.
 */
export function withReplicas<T, R>(
  replicas: Replicas<T>,
  attempt: (replica: T, signal: AbortSignal, stillAlive: () => void) => Promise<R>,
  options: {
    policy: RetryPolicy;
    signal?: AbortSignal | undefined;
    toEndpointError: (replica: T, error: unknown, timedOut: TimedOut | undefined) => EndpointError;
    onRetry?: (event: RetryEvent) => void;
    gate?: <V>(task: () => Promise<V>, signal?: AbortSignal) => Promise<V>;
    onAttempt?: () => AttemptAdmission;
  },
): Promise<R> {
  return withRetries(
    async (signal, stillAlive) => {
      const replica = replicas.acquire();
      try {
        const value = await attempt(replica.value, signal, stillAlive);
        replicas.succeeded(replica);
        return value;
      } catch (error) {
        throw new ReplicaFailure(replica, error);
      } finally {
        replicas.release(replica);
      }
    },
    {
      policy: options.policy,
      ...(options.signal ? { signal: options.signal } : {}),
      toEndpointError: (error, timedOut) => {
        // Every attempt's failure comes wrapped (above); a bare one would be no replica's.
        const { replica, failure } = error as ReplicaFailure<T>;
        const endpointError = options.toEndpointError(replica.value, failure, timedOut);
        if (endpointError.retryable) replicas.failed(replica, endpointError.retryAfterMs);
        return endpointError;
      },
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.gate ? { gate: options.gate } : {}),
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
      retryNow: () => replicas.size > 1 && replicas.anyHealthy(),
    },
  );
}
