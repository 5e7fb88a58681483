/**
 * What went wrong talking to an endpoint, in terms the retry loop and a user both understand.
 * Messages never include request headers, and a key a server quotes back (or a URL's password) is
 * redacted as the error is made, so it cannot reach a run file, a log or a terminal.
 */
import { redact } from './credentials.js';
import type { TimedOut } from './retry.js';

export class EndpointError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The server's Retry-After, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(redact(message));
    this.name = 'EndpointError';
  }
}

/** The caller cancelled: never retried, never recorded as an endpoint failure. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError;
}

/** Timeout, conflict, too early, rate limited: worth another try, as is any server error (5xx). */
const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** Retry-After is seconds or an HTTP date; vLLM and OpenAI also send retry-after-ms. */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Text of an error body: an OpenAI-style {"error": {"message"}} or vLLM's {"message"}, else raw. */
export function errorBodyMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
      detail?: unknown;
    };
    if (typeof parsed.error === 'object' && typeof parsed.error?.message === 'string')
      return parsed.error.message;
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {}
  return body.slice(0, 300);
}

/**
 * A failure below HTTP (refused, reset, cut, silent too long): worth another try. Reaching the
 * request deadline is not: the answer was still coming, and a retry would most likely take as long.
 */
export function transportError(label: string, error: unknown, timedOut: TimedOut | undefined): EndpointError {
  if (error instanceof EndpointError && !timedOut) return error;
  if (timedOut?.kind === 'deadline')
    return new EndpointError(
      `${label}: no complete answer within the request deadline of ${timedOut.ms} ms`,
      false,
    );
  if (timedOut) return new EndpointError(`${label}: no answer within ${timedOut.ms} ms`, true);
  const message = error instanceof Error ? error.message : String(error);
  return new EndpointError(`${label}: connection failed: ${message}`, true);
}
