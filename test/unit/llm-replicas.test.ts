/**
 * An endpoint with several base URLs (vLLM replicas behind no balancer): which replica each attempt
 * goes to, what happens when one fails, and what the user reads then. The choice itself is tested
 * on its own with a hand-turned clock; the rest against real HTTP stub servers and the real openai
 * client, asserting only where requests landed (never how long anything took).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatEndpoint, type ChatEndpointOptions } from '../../src/llm/chat.js';
import { PoolingPrm } from '../../src/llm/pooling.js';
import { Replicas } from '../../src/llm/replicas.js';
import type { RetryEvent } from '../../src/llm/retry.js';
import {
  type ChatReply,
  type PoolingRequestBody,
  poolingInputs,
  rewardPairs,
  type Stub,
  startStub,
  stepsIn,
} from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';

const stub = stubsPerFile();

/** Long enough never to run out within a test: a backed-off replica stays backed off. */
const LONG_BACKOFF = { baseDelayMs: 600_000, maxDelayMs: 600_000 };

function endpointOver(urls: string[], settings: Partial<ChatEndpointOptions> = {}): ChatEndpoint {
  return new ChatEndpoint({
    baseUrl: urls,
    model: 'm',
    concurrency: 4,
    timeoutMs: 5000,
    maxRetries: 2,
    backoff: { baseDelayMs: 1, maxDelayMs: 2 },
    replicaBackoff: LONG_BACKOFF,
    ...settings,
  });
}

const ask = { messages: [{ role: 'user' as const, content: 'What is 6 times 7?' }] };
const ok: ChatReply = { choices: [{ content: '42' }] };
const chatRequests = (server: Stub) =>
  server.requests.filter((request) => request.path === '/v1/chat/completions').length;

/** `count` requests at once; every answer's text. */
function many(endpoint: ChatEndpoint, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => (await endpoint.complete(ask)).choices[0]!.content),
  );
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A clock the test turns by hand. */
function clock() {
  const state = { now: 0 };
  return { state, now: () => state.now };
}

describe('which replica an attempt goes to', () => {
  test('the one with the fewest attempts in flight; ties go in turn, from the one after the last chosen', () => {
    const replicas = new Replicas(['a', 'b', 'c']);
    const first = [replicas.acquire(), replicas.acquire(), replicas.acquire(), replicas.acquire()];
    assert.deepEqual(
      first.map((replica) => replica.value),
      ['a', 'b', 'c', 'a'],
    );
    // b finishes: it alone has the fewest in flight.
    replicas.release(first[1]!);
    assert.equal(replicas.acquire().value, 'b');
    // a finishes twice: a has none in flight, the others one each.
    replicas.release(first[0]!);
    replicas.release(first[3]!);
    assert.equal(replicas.acquire().value, 'a');
  });

  test('a replica that failed is left alone for its backoff, doubled each failure in a row, capped; a success clears it', () => {
    const time = clock();
    const replicas = new Replicas(['a', 'b'], { baseDelayMs: 100, maxDelayMs: 300 }, time.now);
    const [a] = replicas.all;
    const picks = (count: number) =>
      Array.from({ length: count }, () => {
        const replica = replicas.acquire();
        replicas.release(replica);
        return replica.value;
      }).join('');
    replicas.failed(a!);
    assert.equal(picks(3), 'bbb');
    time.state.now = 99;
    assert.equal(picks(1), 'b');
    time.state.now = 100;
    assert.equal(picks(2), 'ab');
    // Second failure in a row: 200 ms; third: 400 capped at 300.
    replicas.failed(a!);
    time.state.now = 299;
    assert.equal(picks(2), 'bb');
    time.state.now = 300;
    replicas.failed(a!);
    time.state.now = 599;
    assert.equal(picks(2), 'bb');
    time.state.now = 600;
    assert.equal(picks(2), 'ab');
    // A success: the next failure starts from the base again.
    replicas.succeeded(a!);
    replicas.failed(a!);
    time.state.now = 700;
    assert.equal(picks(2), 'ab');
  });

  test('a Retry-After longer than the backoff is honoured; when every replica is backed off, the one that failed longest ago is tried', () => {
    const time = clock();
    const replicas = new Replicas(['a', 'b', 'c'], { baseDelayMs: 100, maxDelayMs: 1000 }, time.now);
    const [a, b, c] = replicas.all;
    replicas.failed(b!, 5000);
    time.state.now = 10;
    replicas.failed(c!);
    time.state.now = 20;
    replicas.failed(a!);
    assert.equal(replicas.anyHealthy(), false);
    assert.equal(replicas.acquire().value, 'b');
    assert.equal(replicas.acquire().value, 'b', 'however many are in flight there');
    time.state.now = 120;
    // a and c are back; b still waits out its Retry-After.
    assert.equal(replicas.anyHealthy(), true);
    assert.deepEqual([replicas.acquire().value, replicas.acquire().value], ['c', 'a']);
  });
});

describe('requests spread over the replicas', () => {
  test('one request after another: the replicas take turns', async () => {
    const servers = [await stub({ chat: () => ok }), await stub({ chat: () => ok })];
    const endpoint = endpointOver(
      servers.map((server) => server.baseUrl),
      { concurrency: 1 },
    );
    for (let i = 0; i < 4; i++) await endpoint.complete(ask);
    assert.deepEqual(servers.map(chatRequests), [2, 2]);
  });

  test('12 requests, 4 at a time, on two replicas alike: each serves at least a third', async () => {
    const slow = (): Promise<ChatReply> => new Promise((resolve) => setTimeout(() => resolve(ok), 20));
    const servers = [await stub({ chat: slow }), await stub({ chat: slow })];
    const endpoint = endpointOver(servers.map((server) => server.baseUrl));
    assert.deepEqual(await many(endpoint, 12), Array(12).fill('42'));
    const counts = servers.map(chatRequests);
    assert.equal(counts[0]! + counts[1]!, 12);
    for (const count of counts) assert.ok(count >= 4, `served ${counts.join(' and ')}`);
  });

  test('a replica still busy with its requests gets no more while the other has fewer in flight', {
    timeout: 10_000,
  }, async () => {
    // b answers nothing until a has served 10: every request in between must go to a.
    const bBusy = deferred();
    const safety = setTimeout(bBusy.resolve, 5000);
    const a = await stub({
      chat: (_body, call) => {
        if (call === 9) bBusy.resolve();
        return ok;
      },
    });
    const b = await stub({ chat: () => bBusy.promise.then(() => ok) });
    const endpoint = endpointOver([a.baseUrl, b.baseUrl]);
    assert.deepEqual(await many(endpoint, 12), Array(12).fill('42'));
    clearTimeout(safety);
    // The first four went two and two; from then on a always had fewer in flight.
    assert.deepEqual([chatRequests(a), chatRequests(b)], [10, 2]);
  });
});

describe('a failing replica is backed off and the others carry on', () => {
  test('a replica answering 503: every request succeeds through the other, the failing one is not asked again, and its messages carry no credentials', async () => {
    const failing = await stub({
      chat: () => ({ fault: { kind: 'status', status: 503, message: 'overloaded' } }),
    });
    const healthy = await stub({ chat: () => ok });
    const withPassword = failing.baseUrl.replace('http://', 'http://steplens:s3cret-pass@');
    const retries: (RetryEvent & { endpoint: string })[] = [];
    const endpoint = endpointOver([withPassword, healthy.baseUrl], {
      // A retry that waited would wait about a second: one that goes elsewhere does not wait.
      backoff: { baseDelayMs: 1000, maxDelayMs: 1000 },
      onRetry: (event) => retries.push(event),
    });
    assert.deepEqual(await many(endpoint, 12), Array(12).fill('42'));
    // Only the attempts already under way when the first 503 came back went to it.
    assert.ok(chatRequests(failing) >= 1 && chatRequests(failing) <= 2, `${chatRequests(failing)}`);
    assert.equal(chatRequests(healthy), 12);
    assert.equal(retries.length, chatRequests(failing));
    for (const { error, delayMs } of retries) {
      assert.equal(error.message, `m at ${failing.baseUrl}: HTTP 503: overloaded`);
      // Another replica was healthy: the retry went there at once.
      assert.equal(delayMs, 0);
    }
    assert.doesNotMatch(
      JSON.stringify(retries.map((event) => [event.endpoint, event.error.message])),
      /s3cret|steplens:/,
    );
  });

  test('a replica nobody listens at (connection refused): every request succeeds, the dead one is tried only by the first attempts', async () => {
    const healthy = await stub({ chat: () => ok });
    const dead = await startStub();
    await dead.close();
    const retries: RetryEvent[] = [];
    const endpoint = endpointOver([dead.baseUrl, healthy.baseUrl], {
      onRetry: (event) => retries.push(event),
    });
    assert.deepEqual(await many(endpoint, 12), Array(12).fill('42'));
    assert.ok(retries.length >= 1 && retries.length <= 2, `${retries.length} attempts on the dead replica`);
    for (const { error } of retries)
      assert.match(error.message, new RegExp(`^m at ${dead.baseUrl}: connection failed: `));
    assert.equal(chatRequests(healthy), 12);
  });

  test('every replica failing: the error names the replica of the last attempt, after all the attempts', async () => {
    const first = await stub({
      chat: () => ({ fault: { kind: 'status', status: 502, message: 'bad gateway' } }),
    });
    const second = await stub({ chat: () => ({ fault: { kind: 'status', status: 500, message: 'boom' } }) });
    const endpoint = endpointOver([first.baseUrl, second.baseUrl], { concurrency: 1, maxRetries: 2 });
    await assert.rejects(endpoint.complete(ask), {
      message: `m at ${first.baseUrl}: HTTP 502: bad gateway (after 3 attempts)`,
    });
    // First, then the other at once, then (both backed off) the one that failed longest ago.
    assert.deepEqual([chatRequests(first), chatRequests(second)], [2, 1]);
  });

  test('a refusal (HTTP 4xx) is the request’s problem, not the replica’s: it is not backed off', async () => {
    const refusing = await stub({
      chat: (_body, call) =>
        call === 0 ? { fault: { kind: 'status', status: 404, message: 'no such model' } } : ok,
    });
    const other = await stub({ chat: () => ok });
    const endpoint = endpointOver([refusing.baseUrl, other.baseUrl], { concurrency: 1 });
    await assert.rejects(endpoint.complete(ask), /HTTP 404: no such model$/);
    await endpoint.complete(ask);
    await endpoint.complete(ask);
    assert.deepEqual([chatRequests(refusing), chatRequests(other)], [2, 1]);
  });

  test('a stream cut on one replica is taken up on another, and the next stream goes there too', async () => {
    const cutting = await stub({
      chat: () => ({
        choices: [{ content: 'forty-two, since six sevens' }],
        fault: { kind: 'cut', afterChunks: 1 },
      }),
    });
    const healthy = await stub({ chat: () => ({ choices: [{ content: 'forty-two' }] }) });
    const endpoint = endpointOver([cutting.baseUrl, healthy.baseUrl], { concurrency: 1 });
    const texts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const left = await endpoint.stream(ask, [0], {
        onChoice: (_slot, choice) => texts.push(choice.content),
      });
      assert.deepEqual(left, []);
    }
    assert.deepEqual(texts, ['forty-two', 'forty-two']);
    assert.deepEqual([chatRequests(cutting), chatRequests(healthy)], [1, 2]);
  });
});

describe('a PRM on replicas', () => {
  const MODEL = 'Qwen/Qwen2.5-Math-PRM-7B';
  const scoring = (body: PoolingRequestBody) => ({
    data: poolingInputs(body).map((input) => rewardPairs(Array(stepsIn(input)).fill(0.9))),
  });
  const prmOver = (urls: string[]) =>
    new PoolingPrm({
      baseUrl: urls,
      model: MODEL,
      concurrency: 4,
      batchSize: 4,
      maxInputTokens: 4096,
      threshold: 0.5,
      timeoutMs: 5000,
      maxRetries: 2,
      backoff: { baseDelayMs: 1, maxDelayMs: 2 },
      replicaBackoff: LONG_BACKOFF,
    });
  const judgeMany = (prm: PoolingPrm, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => prm.judge(`problem ${i}`, ['a', 'b'])));
  const inputsPerRequest = (server: Stub) =>
    server.requests.map((request) => poolingInputs(request.body as PoolingRequestBody).length);

  test('samples of different problems are still batched, and the batches spread over the replicas', async () => {
    const servers = [await stub({ pooling: scoring }), await stub({ pooling: scoring })];
    const judgements = await judgeMany(prmOver(servers.map((server) => server.url)), 8);
    assert.deepEqual(
      judgements.map((judgement) => judgement.stepScores),
      Array(8).fill([0.9, 0.9]),
    );
    assert.deepEqual(servers.map(inputsPerRequest), [[4], [4]]);
  });

  test('a PRM replica answering 503: every batch is scored by the other', async () => {
    const failing = await stub({
      pooling: () => ({ fault: { kind: 'status', status: 503, message: 'busy' } }),
    });
    const healthy = await stub({ pooling: scoring });
    const prm = prmOver([failing.url, healthy.url]);
    const judgements = await judgeMany(prm, 16);
    assert.deepEqual(
      judgements.map((judgement) => judgement.stepScores),
      Array(16).fill([0.9, 0.9]),
    );
    assert.ok(failing.requests.length <= 2, `${failing.requests.length} requests to the failing replica`);
    assert.deepEqual(inputsPerRequest(healthy), [4, 4, 4, 4]);
  });
});
