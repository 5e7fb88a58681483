import { requestDeadlineMs } from '../core/config.js';
import { CancelledError, EndpointError } from './errors.js';

export interface RetryPolicy {
  maxRetries: number;
  /** Per attempt: how long it may stay silent (a stream's every chunk starts it again). */
  timeoutMs: number;
  /** Per attempt: how long it may take from start to end, however steadily it keeps talking. */
  deadlineMs: number;
  /** First backoff; doubles each retry, capped at maxDelayMs, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, 'maxRetries' | 'timeoutMs' | 'deadlineMs'> = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** The longest Retry-After we honour; a server asking for more gets this and a retry. */
const MAX_RETRY_AFTER_MS = 120_000;

/** Why an attempt was aborted by its own clock: silence past timeoutMs, or the deadline. */
export interface TimedOut {
  kind: 'silence' | 'deadline';
  ms: number;
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: EndpointError;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      // Stryker disable next-line StringLiteral: a listener left behind only clears a spent timer and rejects a settled promise
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, so the listener runs once either way
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function backoffDelay(
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  retry: number,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(random() * ceiling);
}

/** The attempts in flight under each caller's signal, all aborted by one listener on it. */
const attemptsBySignal = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * Makes the caller's cancel abort an attempt (at once if it already came), until the returned function unlinks it. Not
 * AbortSignal.any: Node 20 keeps every signal made by any() from a long-lived one (a dataset run's,
 * shared by thousands of requests) alive as long as that one lives; nor one listener per attempt,
 * which passes Node's limit of listeners on a signal (a warning) with a few dozen requests in flight.
 */
export function linkCancel(signal: AbortSignal, controller: AbortController): () => void {
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => {};
  }
  let attempts = attemptsBySignal.get(signal);
  if (!attempts) {
    const linked = new Set<AbortController>();
    attempts = linked;
    attemptsBySignal.set(signal, linked);
    signal.addEventListener(
      'abort',
      () => {
        for (const attempt of linked) attempt.abort(signal.reason);
        linked.clear();
      },
      { once: true },
    );
  }
  attempts.add(controller);
  const linked = attempts;
  return () => {
    linked.delete(controller);
  };
}

/**
 * What an attempt's `onAttempt` may answer: nothing (go); a function the attempt calls once it has
 * settled (so a budget knows what is still in flight); or a promise of either, which the attempt
 * waits on before it is sent — a spent budget holds new attempts there until the run's signal
 * aborts, and they end cancelled, never sent, while the ones already sent finish.
 */
export type AttemptAdmission = void | (() => void) | Promise<undefined | (() => void)>;

/**
 * Runs `attempt` until it succeeds, fails for good, or the caller cancels. Each attempt gets its own
 * signal that fires on the caller's cancel, on the per-attempt timeout or at the attempt's deadline;
 * a streaming attempt calls `stillAlive` on every chunk, so its timeout counts silence, not the
 * length of a long answer, and the deadline ends a stream that never stops talking.
 * `toEndpointError` decides what a failure means (retryable or not, Retry-After).
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal, stillAlive: () => void) => Promise<T>,
  options: {
    policy: RetryPolicy;
    signal?: AbortSignal;
    toEndpointError: (error: unknown, timedOut: TimedOut | undefined) => EndpointError;
    onRetry?: (event: RetryEvent) => void;
    /**
     * Admission to the endpoint (its concurrency limiter): each attempt waits here first, and its
     * clocks start only once admitted, so time spent queued behind other requests is never
     * counted as the endpoint's silence or against the request's deadline.
     */
    gate?: <R>(task: () => Promise<R>, signal?: AbortSignal) => Promise<R>;
    /** Each attempt, before it is sent (for request counts and budgets): see `AttemptAdmission`. */
    onAttempt?: () => AttemptAdmission;
    /**
     * True when the next attempt may start at once: it goes elsewhere (another replica) than the
     * one that just failed, so there is nothing to wait out. Asked after each retryable failure.
     */
    retryNow?: () => boolean;
  },
): Promise<T> {
  const { policy, signal } = options;
  const admitted = options.gate ?? (<R>(task: () => Promise<R>, _signal?: AbortSignal) => task());
  for (let retry = 0; ; retry++) {
    if (signal?.aborted) throw new CancelledError();
    let timedOut: TimedOut | undefined;
    const outcome = await admitted(
      async (): Promise<{ ok: true; value: T } | { ok: false; failure: EndpointError | undefined }> => {
        // Cancelled while queued for a slot: the attempt never starts.
        if (signal?.aborted) throw new CancelledError();
        const admission = options.onAttempt?.();
        const settle = admission instanceof Promise ? await admission : admission;
        // Held back by a spent budget until the run stopped: never sent.
        if (signal?.aborted) {
          settle?.();
          throw new CancelledError();
        }
        const timeout = new AbortController();
        const expire = (kind: TimedOut['kind'], ms: number) => () => {
          timedOut ??= { kind, ms };
          timeout.abort();
        };
        let silence = setTimeout(expire('silence', policy.timeoutMs), policy.timeoutMs);
        const deadline = setTimeout(expire('deadline', policy.deadlineMs), policy.deadlineMs);
        const stillAlive = () => {
          clearTimeout(silence);
          silence = setTimeout(expire('silence', policy.timeoutMs), policy.timeoutMs);
        };
        const unlink = signal ? linkCancel(signal, timeout) : undefined;
        const attemptSignal = timeout.signal;
        try {
          return { ok: true, value: await attempt(attemptSignal, stillAlive) };
        } catch (error) {
          // What the failure means is decided before the slot is freed (a replica that failed is
          // backed off before the next attempt picks one); a cancel is no endpoint's failure.
          return {
            ok: false,
            failure: signal?.aborted ? undefined : options.toEndpointError(error, timedOut),
          };
        } finally {
          unlink?.();
          clearTimeout(silence);
          clearTimeout(deadline);
          settle?.();
        }
      },
      signal,
    );
    if (outcome.ok) return outcome.value;
    const failure = outcome.failure;
    if (signal?.aborted || failure === undefined) throw new CancelledError();
    if (!failure.retryable || retry >= policy.maxRetries) {
      const tries = retry + 1;
      throw tries > 1
        ? new EndpointError(`${failure.message} (after ${tries} attempts)`, false, failure.status)
        : failure;
    }
    const delayMs = options.retryNow?.()
      ? 0
      : failure.retryAfterMs !== undefined
        ? Math.min(failure.retryAfterMs, MAX_RETRY_AFTER_MS)
        : backoffDelay(policy, retry);
    options.onRetry?.({ attempt: retry + 1, delayMs, error: failure });
    await sleep(delayMs, signal);
  }
}

export interface EndpointRetrySettings {
  maxRetries: number;
  timeoutMs: number;
  /** Absent: DEADLINE_PER_TIMEOUT × timeoutMs. */
  requestDeadlineMs?: number;
  backoff?: Partial<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>>;
}

export function retryPolicy(settings: EndpointRetrySettings): RetryPolicy {
  return {
    maxRetries: settings.maxRetries,
    timeoutMs: settings.timeoutMs,
    deadlineMs: requestDeadlineMs(settings),
    baseDelayMs: settings.backoff?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: settings.backoff?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };
}
