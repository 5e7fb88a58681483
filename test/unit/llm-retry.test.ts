/**
 * Retries, their waits and their clocks, and the concurrency limit, on a controllable clock: the
 * waits are minutes long and no test waits for real.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { CancelledError, EndpointError } from '../../src/llm/errors.js';
import { Limiter, rankRequests } from '../../src/llm/limiter.js';
import {
  linkCancel,
  type RetryEvent,
  type RetryPolicy,
  retryPolicy,
  type TimedOut,
  withRetries,
} from '../../src/llm/retry.js';

const policy: RetryPolicy = {
  maxRetries: 3,
  timeoutMs: 1000,
  deadlineMs: 60_000,
  baseDelayMs: 100,
  maxDelayMs: 1000,
};

/** Lets every promise reaction that is ready run (the mocked clock does not move). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where a promise stands, without waiting for it. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const asEndpointError = (error: unknown) => error as EndpointError;

describe('retries on a controllable clock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test("a retry waits the server's Retry-After, and at most two minutes however long it asks", async () => {
    let calls = 0;
    const retries: RetryEvent[] = [];
    const result = watch(
      withRetries(
        async () => {
          calls += 1;
          if (calls === 1) throw new EndpointError('rate limited', true, 429, 5000);
          if (calls === 2) throw new EndpointError('rate limited', true, 429, 600_000);
          return 'ok';
        },
        { policy, toEndpointError: asEndpointError, onRetry: (event) => retries.push(event) },
      ),
    );
    await settle();
    assert.deepEqual(
      retries.map((event) => [event.attempt, event.delayMs]),
      [[1, 5000]],
    );
    mock.timers.tick(4999);
    await settle();
    assert.equal(calls, 1, 'not sent again before Retry-After has passed');
    mock.timers.tick(1);
    await settle();
    assert.equal(calls, 2);
    assert.deepEqual(
      retries.map((event) => [event.attempt, event.delayMs]),
      [
        [1, 5000],
        [2, 120_000],
      ],
    );
    mock.timers.tick(120_000);
    await settle();
    assert.deepEqual(result, { settled: true, value: 'ok' });
  });

  test('without Retry-After the wait is a jittered backoff that doubles from the base', async () => {
    let calls = 0;
    const retries: RetryEvent[] = [];
    const result = watch(
      withRetries(
        async () => {
          calls += 1;
          if (calls < 3) throw new EndpointError('HTTP 503', true, 503);
          return 'ok';
        },
        { policy, toEndpointError: asEndpointError, onRetry: (event) => retries.push(event) },
      ),
    );
    for (const ceiling of [100, 200]) {
      await settle();
      const { delayMs } = retries.at(-1)!;
      assert.ok(delayMs >= 0 && delayMs <= ceiling, `a wait of ${delayMs} ms, at most ${ceiling}`);
      mock.timers.tick(delayMs);
    }
    await settle();
    assert.deepEqual(result, { settled: true, value: 'ok' });
    assert.deepEqual(
      retries.map((event) => event.attempt),
      [1, 2],
    );
  });

  test('cancelling during a retry wait ends it at once, and nothing is sent again', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = watch(
      withRetries(
        async () => {
          calls += 1;
          throw new EndpointError('rate limited', true, 429, 60_000);
        },
        { policy, signal: controller.signal, toEndpointError: asEndpointError },
      ),
    );
    await settle();
    assert.equal(result.settled, false, 'waiting out Retry-After');
    controller.abort();
    await settle();
    assert.ok(result.error instanceof CancelledError);
    assert.equal(calls, 1);
  });

  test('a cancel that comes with the retry notice means no wait at all', async () => {
    const controller = new AbortController();
    const result = watch(
      withRetries(
        async () => {
          throw new EndpointError('rate limited', true, 429, 60_000);
        },
        {
          policy,
          signal: controller.signal,
          toEndpointError: asEndpointError,
          onRetry: () => controller.abort(),
        },
      ),
    );
    await settle();
    assert.ok(result.error instanceof CancelledError);
  });

  test('an attempt cut short by cancel is not a failure: no retry is announced', async () => {
    const controller = new AbortController();
    const retries: RetryEvent[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const result = watch(
      withRetries(
        (signal) =>
          new Promise((_, reject) => {
            // Like fetch: an aborted request rejects with the abort's reason.
            signal.addEventListener('abort', () => reject(signal.reason));
            started();
          }),
        {
          policy,
          signal: controller.signal,
          // Every failure looks retryable: only the cancel itself can stop the retries.
          toEndpointError: (error) => new EndpointError(String(error), true),
          onRetry: (event) => retries.push(event),
        },
      ),
    );
    await running;
    controller.abort();
    await settle();
    assert.ok(result.error instanceof CancelledError);
    assert.deepEqual(retries, []);
  });

  test('an attempt silent past timeoutMs is ended as silence; one that keeps talking is not', async () => {
    const seen: (TimedOut | undefined)[] = [];
    const untilAborted = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const options = {
      policy: { ...policy, maxRetries: 0 },
      toEndpointError: (error: unknown, timedOut: TimedOut | undefined) => {
        seen.push(timedOut);
        return new EndpointError(String(error), true);
      },
    };

    // A chunk every 600 ms, four times: 2.4 s in all, more than twice the 1 s timeout.
    const talker = watch(
      withRetries(async (signal, stillAlive) => {
        for (let chunk = 0; chunk < 4; chunk++) {
          await Promise.race([new Promise((resolve) => setTimeout(resolve, 600)), untilAborted(signal)]);
          stillAlive();
        }
        return 'answered';
      }, options),
    );
    for (let chunk = 0; chunk < 4; chunk++) {
      await settle();
      mock.timers.tick(600);
    }
    await settle();
    assert.deepEqual(talker, { settled: true, value: 'answered' });

    // One chunk at 600 ms, then silence: ended 1 s after that chunk.
    const quiet = watch(
      withRetries(async (signal, stillAlive) => {
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 600)), untilAborted(signal)]);
        stillAlive();
        return untilAborted(signal);
      }, options),
    );
    await settle();
    mock.timers.tick(600);
    await settle();
    mock.timers.tick(999);
    await settle();
    assert.equal(quiet.settled, false);
    mock.timers.tick(1);
    await settle();
    assert.ok(quiet.error instanceof EndpointError);
    assert.deepEqual(seen, [{ kind: 'silence', ms: 1000 }]);

    // Not a word from the start: ended at 1 s.
    const mute = watch(withRetries(async (signal) => untilAborted(signal), options));
    await settle();
    mock.timers.tick(1000);
    await settle();
    assert.ok(mute.error instanceof EndpointError);
    assert.deepEqual(seen, [
      { kind: 'silence', ms: 1000 },
      { kind: 'silence', ms: 1000 },
    ]);
  });

  test('an attempt that never stops talking is ended at its deadline', async () => {
    const seen: (TimedOut | undefined)[] = [];
    const result = watch(
      withRetries(
        async (signal, stillAlive) => {
          while (!signal.aborted) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            stillAlive();
          }
          throw new Error('aborted');
        },
        {
          policy: { ...policy, maxRetries: 0, deadlineMs: 3000 },
          toEndpointError: (error, timedOut) => {
            seen.push(timedOut);
            return new EndpointError(String(error), false);
          },
        },
      ),
    );
    for (let tick = 0; tick < 6; tick++) {
      await settle();
      mock.timers.tick(500);
    }
    await settle();
    assert.ok(result.error instanceof EndpointError);
    assert.deepEqual(seen, [{ kind: 'deadline', ms: 3000 }]);
  });
});

describe('retries stop', () => {
  test('at the limit: maxRetries 2 is three attempts, and the error says how many', async () => {
    let calls = 0;
    const failure = await withRetries(
      async () => {
        calls += 1;
        throw new EndpointError('HTTP 500: overloaded', true, 500, 0);
      },
      { policy: { ...policy, maxRetries: 2 }, toEndpointError: asEndpointError },
    ).catch((error: unknown) => error as EndpointError);
    assert.equal(calls, 3);
    assert.equal(failure.message, 'HTTP 500: overloaded (after 3 attempts)');
    assert.equal(failure.retryable, false, 'retries are used up');
    assert.equal(failure.status, 500);
  });

  test('at once on an error that is not worth retrying, which is passed on as it is', async () => {
    const refusal = new EndpointError('HTTP 400: bad request', false, 400);
    let calls = 0;
    const failure = await withRetries(
      async () => {
        calls += 1;
        throw refusal;
      },
      { policy, toEndpointError: asEndpointError },
    ).catch((error: unknown) => error);
    assert.equal(calls, 1);
    assert.equal(failure, refusal);
  });
});

describe('cancel and the concurrency limit', () => {
  /** One slot, held until `release`. */
  function busyLimiter() {
    const limiter = new Limiter(1);
    let release!: () => void;
    const held = limiter.run(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    return { limiter, release: () => release(), held };
  }

  test('a request made after cancel does not queue for a slot', async () => {
    const { limiter, release, held } = busyLimiter();
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const result = watch(
      withRetries(
        async () => {
          calls += 1;
        },
        {
          policy,
          signal: controller.signal,
          toEndpointError: asEndpointError,
          gate: (task) => limiter.run(task),
        },
      ),
    );
    await settle();
    assert.ok(result.error instanceof CancelledError);
    assert.equal(limiter.queued, 0);
    release();
    await held;
    assert.equal(calls, 0);
  });

  test('a request cancelled while queued never starts, and frees its place', async () => {
    const { limiter, release, held } = busyLimiter();
    const controller = new AbortController();
    let calls = 0;
    const result = watch(
      withRetries(
        async () => {
          calls += 1;
          return 'sent';
        },
        {
          policy,
          signal: controller.signal,
          toEndpointError: asEndpointError,
          gate: (task) => limiter.run(task),
        },
      ),
    );
    await settle();
    assert.equal(limiter.queued, 1);
    controller.abort();
    release();
    await held;
    await settle();
    assert.ok(result.error instanceof CancelledError);
    assert.equal(calls, 0);
    assert.deepEqual([limiter.running, limiter.queued], [0, 0]);
  });
});

describe('the limiter', () => {
  test('a concurrency that is not a positive integer is refused, saying what it got', () => {
    for (const max of [0, -1, 1.5, Number.NaN])
      assert.throws(() => new Limiter(max), {
        name: 'RangeError',
        message: `concurrency must be a positive integer, got ${max}`,
      });
    assert.equal(new Limiter(1).max, 1);
  });

  test('a finished task gives its slot back: tasks one after another all run', async () => {
    const limiter = new Limiter(1);
    let release!: () => void;
    const first = limiter.run(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('first');
        }),
    );
    await settle();
    assert.deepEqual([limiter.running, limiter.queued], [1, 0]);
    release();
    assert.equal(await first, 'first');
    assert.deepEqual([limiter.running, limiter.queued], [0, 0]);
    assert.equal(await limiter.run(async () => 'second'), 'second');
    assert.equal(limiter.running, 0);
  });

  test('waiters are admitted first-lane first, then by the rank of their signal (lower first, unranked last), in arrival order within each', async () => {
    const limiter = new Limiter(1);
    let release!: () => void;
    const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
    };
    const ranked = (rank: number) => {
      const signal = new AbortController().signal;
      rankRequests(signal, rank);
      return signal;
    };
    const queued = [
      limiter.run(task('a: no rank')),
      limiter.run(task('b: rank 2'), { signal: ranked(2) }),
      limiter.run(task('c: rank 1'), { signal: ranked(1) }),
      limiter.run(task('d: first'), { first: true, signal: ranked(5) }),
      limiter.run(task('e: rank 1'), { signal: ranked(1) }),
      limiter.run(task('f: no rank'), { signal: new AbortController().signal }),
      limiter.run(task('g: first'), { first: true }),
    ];
    await settle();
    assert.equal(limiter.queued, 7);
    release();
    await Promise.all([held, ...queued]);
    assert.deepEqual(order, [
      'd: first',
      'g: first',
      'c: rank 1',
      'e: rank 1',
      'b: rank 2',
      'a: no rank',
      'f: no rank',
    ]);
    assert.deepEqual([limiter.running, limiter.queued], [0, 0]);
  });
});

test('retry settings: the backoff starts at 0.5 s and is capped at 30 s unless the settings say otherwise', () => {
  assert.deepEqual(retryPolicy({ maxRetries: 3, timeoutMs: 1000 }), {
    maxRetries: 3,
    timeoutMs: 1000,
    deadlineMs: 3000,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
  });
  const tuned = retryPolicy({ maxRetries: 0, timeoutMs: 1000, backoff: { baseDelayMs: 5, maxDelayMs: 20 } });
  assert.deepEqual([tuned.baseDelayMs, tuned.maxDelayMs], [5, 20]);
  const capOnly = retryPolicy({ maxRetries: 0, timeoutMs: 1000, backoff: { maxDelayMs: 20 } });
  assert.deepEqual([capOnly.baseDelayMs, capOnly.maxDelayMs], [500, 20]);
});

test("a long-lived signal (a dataset run's) carries one listener however many attempts ran under it, and its cancel still ends the ones in flight", async () => {
  const controller = new AbortController();
  // Many attempts one after another, and 40 at once: none stays linked to the signal once done,
  // and they share one listener (a listener each would pass Node's limit of 10 and warn).
  for (let i = 0; i < 50; i++)
    await withRetries(async () => i, { policy, signal: controller.signal, toEndpointError: asEndpointError });
  const started: AbortSignal[] = [];
  const inFlight = Array.from({ length: 40 }, () =>
    withRetries(
      (attemptSignal) =>
        new Promise<never>((_, reject) => {
          started.push(attemptSignal);
          attemptSignal.addEventListener('abort', () => reject(attemptSignal.reason), { once: true });
        }),
      { policy, signal: controller.signal, toEndpointError: asEndpointError },
    ).catch((error: unknown) => error),
  );
  await settle();
  assert.equal(started.length, 40);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort(new Error('stop'));
  const outcomes = await Promise.all(inFlight);
  assert.ok(outcomes.every((outcome) => outcome instanceof CancelledError));
  assert.ok(started.every((signal) => signal.aborted && (signal.reason as Error).message === 'stop'));
});

test('linking to a signal that has already fired aborts at once', () => {
  const cancelled = new AbortController();
  cancelled.abort(new Error('gone'));
  const controller = new AbortController();
  linkCancel(cancelled.signal, controller)();
  assert.equal(controller.signal.aborted, true);
  assert.equal((controller.signal.reason as Error).message, 'gone');
});

describe('admission by a budget', () => {
  test('an attempt waits on its admission unsent, is cancelled unsent when the run stops, and reports when it settles', async () => {
    let sent = 0;
    const settledAttempts: string[] = [];
    let admit: () => void = () => {};
    const held = new Promise<undefined>((resolve) => {
      admit = () => resolve(undefined);
    });
    // First call: admitted at once, told when it settles. Second: held until the run stops.
    const run = new AbortController();
    const first = await withRetries(
      async () => {
        sent += 1;
        return 'first';
      },
      {
        policy,
        signal: run.signal,
        toEndpointError: asEndpointError,
        onAttempt: () => () => settledAttempts.push('first'),
      },
    );
    assert.deepEqual([first, sent, settledAttempts], ['first', 1, ['first']]);
    const second = watch(
      withRetries(
        async () => {
          sent += 1;
          return 'second';
        },
        { policy, signal: run.signal, toEndpointError: asEndpointError, onAttempt: () => held },
      ),
    );
    await settle();
    assert.equal(second.settled, false);
    assert.equal(sent, 1, 'held back: not sent');
    run.abort();
    admit();
    await settle();
    assert.ok(second.error instanceof CancelledError);
    assert.equal(sent, 1, 'cancelled without being sent');
  });
});
