/**
 * The vllm-pooling PRM (Qwen2.5-Math-PRM served by vLLM) as a client: what reaches the server, the
 * step scores a user sees for a wire response, and how each kind of failure is reported.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { CancelledError } from '../../src/llm/errors.js';
import { type PoolingOptions, PoolingPrm, serverRoot } from '../../src/llm/pooling.js';
import {
  type PoolingReply,
  type PoolingRequestBody,
  poolingInputs,
  rewardPairs,
  type Stub,
  stepsIn,
} from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';
import { readFixture } from '../support.js';

const stub = stubsPerFile();

const MODEL = 'Qwen/Qwen2.5-Math-PRM-7B';

function prmAt(baseUrl: string, options: Partial<PoolingOptions> = {}): PoolingPrm {
  return new PoolingPrm({
    baseUrl,
    model: MODEL,
    concurrency: 4,
    batchSize: 8,
    maxInputTokens: 4096,
    threshold: 0.5,
    timeoutMs: 30_000,
    maxRetries: 0,
    backoff: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
}

/** A PRM server that scores step i of every input by `scores[i]`, as vLLM does: one pair per step. */
function scoring(scores: readonly number[]): (body: PoolingRequestBody) => PoolingReply {
  return (body) => ({
    data: poolingInputs(body).map((input) => rewardPairs(scores.slice(0, stepsIn(input)))),
  });
}

const bodies = (server: Stub) => server.requests.map((request) => request.body as PoolingRequestBody);

// Tests wait for batches to fill and for cancels: a bug there shows as a failed test, not a hang.
const bounded = { timeout: 5000 };

describe('the vllm-pooling PRM client', () => {
  test(
    'the real Qwen2.5-Math-PRM-7B response for ProcessBench gsm8k-0: the user sees P(right) per step, step 1 flagged at τ = 0.5',
    bounded,
    async () => {
      const [output] = JSON.parse(readFixture('vllm_fixture_qwen2_5_math_prm_reward_step.json')) as unknown[];
      const server = await stub({ pooling: () => ({ data: [output] }) });
      const prm = prmAt(server.url, { apiKey: 'prm-key-123' });
      const before = performance.now();
      const judgement = await prm.judge('Janet’s ducks…', ['s0', 's1', 's2', 's3']);
      const elapsed = performance.now() - before;
      assert.deepEqual(
        judgement.stepScores.map((score) => Math.round((score ?? Number.NaN) * 1000) / 1000),
        [1, 0.181, 0.975, 1],
      );
      assert.equal(judgement.firstError, 1);
      // Every step fitted: nothing is marked unscored.
      assert.equal('unscoredFrom' in judgement, false);
      const latency = judgement.latencyMs ?? Number.NaN;
      assert.ok(latency >= 0 && latency <= elapsed, `latency ${latency} of a call that took ${elapsed}`);
      // One conversation, one request to the server root's /pooling, with the key and the model.
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0]!.path, '/pooling');
      assert.equal(server.requests[0]!.authorization, 'Bearer prm-key-123');
      const body = bodies(server)[0]!;
      assert.equal(body.model, MODEL);
      assert.deepEqual(body.messages, [
        {
          role: 'system',
          content: 'Please reason step by step, and put your final answer within \\boxed{}.',
        },
        { role: 'user', content: 'Janet’s ducks…' },
        { role: 'assistant', content: 's0<extra_0>s1<extra_0>s2<extra_0>s3<extra_0>' },
      ]);
    },
  );

  test('a step scored exactly τ is not an error; the first step below it is', bounded, async () => {
    const server = await stub({ pooling: scoring([0.5, 0.4999, 0.2]) });
    const judgement = await prmAt(server.url).judge('P', ['a', 'b', 'c']);
    assert.deepEqual(judgement.stepScores, [0.5, 0.4999, 0.2]);
    assert.equal(judgement.firstError, 1);
  });

  test('/pooling lives at the server root, however the base URL is written', bounded, async () => {
    assert.equal(serverRoot('http://prm.example:8000/v1'), 'http://prm.example:8000');
    assert.equal(serverRoot('http://prm.example:8000/v1/'), 'http://prm.example:8000');
    assert.equal(serverRoot('http://prm.example:8000//'), 'http://prm.example:8000');
    assert.equal(serverRoot('http://prm.example:8000'), 'http://prm.example:8000');
    // Only a trailing /v1 is the OpenAI prefix; one inside a gateway's path is kept.
    assert.equal(serverRoot('http://gw.example/v1/prm'), 'http://gw.example/v1/prm');
    const server = await stub({ pooling: scoring([0.9]) });
    for (const baseUrl of [`${server.baseUrl}/`, `${server.baseUrl}//`, `${server.url}/`])
      await prmAt(baseUrl).judge('P', ['a']);
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ['/pooling', '/pooling', '/pooling'],
    );
  });

  test(
    'samples arriving within the linger go in one request, in order, each with its own steps; a full batch leaves at once',
    bounded,
    async () => {
      const server = await stub({
        pooling: (body) => ({
          data: poolingInputs(body).map((input) =>
            rewardPairs(input.includes('first problem') ? [0.9, 0.8] : [0.7, 0.6, 0.1]),
          ),
        }),
      });
      // A linger far longer than the test: the batch can only leave because it is full.
      const prm = prmAt(server.url, { batchSize: 2, lingerMs: 60_000 });
      const first = prm.judge('first problem', ['f0', 'f1']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = prm.judge('second problem', ['g0', 'g1', 'g2']);
      const [a, b] = await Promise.all([first, second]);
      assert.deepEqual(a.stepScores, [0.9, 0.8]);
      assert.deepEqual(b.stepScores, [0.7, 0.6, 0.1]);
      assert.equal(b.firstError, 2);
      assert.equal(server.requests.length, 1);
      const inputs = poolingInputs(bodies(server)[0]!);
      assert.equal(inputs.length, 2);
      assert.match(inputs[0]!, /<\|im_start\|>user\nfirst problem<\|im_end\|>/);
      assert.match(inputs[0]!, /assistant\nf0<extra_0>f1<extra_0><\|im_end\|>/);
      assert.match(inputs[1]!, /assistant\ng0<extra_0>g1<extra_0>g2<extra_0><\|im_end\|>/);
    },
  );

  test(
    'while every slot is busy, samples wait and leave together when one frees, not one partial batch each',
    bounded,
    async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const score = scoring([0.9]);
      const server = await stub({
        pooling: async (body, call) => {
          if (call === 0) await held;
          return score(body);
        },
      });
      const prm = prmAt(server.url, { concurrency: 1, batchSize: 8, lingerMs: 5 });
      const first = prm.judge('P0', ['a']);
      await once(server.events, 'request');
      // Three samples, each after the linger has run out: every one would leave alone if it could.
      const later: Promise<unknown>[] = [];
      for (const problem of ['P1', 'P2', 'P3']) {
        later.push(prm.judge(problem, ['a']));
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      assert.equal(server.requests.length, 1);
      release();
      await Promise.all([first, ...later]);
      assert.deepEqual(
        bodies(server).map((body) => poolingInputs(body).length),
        [1, 3],
      );
    },
  );

  test(
    'a sample scored for the wrong number of steps fails with the counts, never padded; its batch-mate is unharmed',
    bounded,
    async () => {
      const server = await stub({
        pooling: (body) => ({
          data: poolingInputs(body).map((input) =>
            input.includes('short') ? rewardPairs([0.9]) : rewardPairs([0.9, 0.8]),
          ),
        }),
      });
      const prm = prmAt(server.url, { batchSize: 2 });
      const [short, whole] = await Promise.allSettled([
        prm.judge('short', ['a', 'b']),
        prm.judge('whole', ['a', 'b']),
      ]);
      assert.equal(short.status, 'rejected');
      assert.match(String(short.reason), /1 step score\(s\) for 2 step\(s\)/);
      assert.equal(whole.status, 'fulfilled');
      assert.deepEqual(whole.value.stepScores, [0.9, 0.8]);
      assert.equal(server.requests.length, 1);
    },
  );

  test(
    'a batch answered with fewer outputs than inputs fails each of its samples, and is not asked again',
    bounded,
    async () => {
      const server = await stub({ pooling: () => ({ data: [rewardPairs([0.9])] }) });
      const prm = prmAt(server.url, { batchSize: 2, maxRetries: 2 });
      const results = await Promise.allSettled([prm.judge('P', ['a']), prm.judge('Q', ['b'])]);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.match(String(result.reason), /1 output\(s\) for 2 input\(s\)/);
      }
      assert.equal(server.requests.length, 1);
    },
  );

  for (const status of [400, 422]) {
    test(
      `a server refusing a list input (HTTP ${status}) gets one conversation per request from then on`,
      bounded,
      async () => {
        let refusals = 0;
        const server = await stub({
          pooling: (body) => {
            if (Array.isArray(body.input)) {
              refusals += 1;
              return { fault: { kind: 'status', status, message: 'input must be a string' } };
            }
            return scoring([0.9, 0.3])(body);
          },
        });
        const prm = prmAt(server.url, { batchSize: 2 });
        const judged = await Promise.all([prm.judge('P', ['a', 'b']), prm.judge('Q', ['c', 'd'])]);
        assert.deepEqual(
          judged.map((judgement) => judgement.firstError),
          [1, 1],
        );
        assert.equal(refusals, 1);
        // Learnt for the endpoint, also by a client whose base URL differs only by trailing slashes.
        const again = prmAt(`${server.url}//`, { batchSize: 2 });
        await Promise.all([again.judge('P', ['a', 'b']), again.judge('Q', ['c', 'd'])]);
        assert.equal(refusals, 1);
        assert.equal(server.requests.length, 5);
      },
    );
  }

  test('what one server refused is not held against another', bounded, async () => {
    const refusing = await stub({ pooling: scoring([0.9]), refuseBatchInput: true });
    const batching = await stub({ pooling: scoring([0.9]) });
    const both = [refusing, batching].map((server) => prmAt(server.url, { batchSize: 2 }));
    for (const prm of both) await Promise.all([prm.judge('P', ['a']), prm.judge('Q', ['b'])]);
    assert.deepEqual(
      bodies(batching).map((body) => poolingInputs(body).length),
      [2],
    );
  });

  test(
    'a server error on a batch fails its samples with the HTTP status, naming the PRM; it is not read as a refusal to batch',
    bounded,
    async () => {
      const server = await stub({
        pooling: () => ({ fault: { kind: 'status', status: 500, message: 'CUDA out of memory' } }),
      });
      const prm = prmAt(server.url, { batchSize: 2 });
      const results = await Promise.allSettled([prm.judge('P', ['a']), prm.judge('Q', ['b'])]);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.equal(
          (result.reason as Error).message,
          `${MODEL} at ${server.url}: HTTP 500: CUDA out of memory`,
        );
      }
      assert.equal(server.requests.length, 1);
    },
  );

  test('one conversation per request: a failure fails that sample only', bounded, async () => {
    const server = await stub({
      refuseBatchInput: true,
      pooling: (body) =>
        body.messages?.[1]?.content === 'bad'
          ? { fault: { kind: 'status', status: 503, message: 'overloaded' } }
          : scoring([0.9])(body),
    });
    const prm = prmAt(server.url, { batchSize: 2 });
    const [bad, good] = await Promise.allSettled([prm.judge('bad', ['a']), prm.judge('good', ['b'])]);
    assert.equal(bad.status, 'rejected');
    assert.match(String(bad.reason), /HTTP 503: overloaded/);
    assert.equal(good.status, 'fulfilled');
    assert.deepEqual(good.value.stepScores, [0.9]);
  });

  test(
    'a response that is not JSON is retried, and the retry is reported with the PRM named',
    bounded,
    async () => {
      const server = await stub({
        // Every first attempt gets a body cut short.
        pooling: (body, call) => (call % 2 === 0 ? { fault: { kind: 'malformed' } } : scoring([0.9])(body)),
      });
      const retries: { attempt: number; endpoint: string }[] = [];
      const prm = prmAt(server.url, {
        maxRetries: 1,
        onRetry: (event) => retries.push({ attempt: event.attempt, endpoint: event.endpoint }),
      });
      assert.deepEqual((await prm.judge('P', ['a'])).stepScores, [0.9]);
      assert.deepEqual(retries, [{ attempt: 1, endpoint: `${MODEL} at ${server.url}` }]);
      // Nobody listening for retries: the retry happens all the same.
      assert.deepEqual((await prmAt(server.url, { maxRetries: 1 }).judge('P', ['a'])).stepScores, [0.9]);
      assert.equal(server.requests.length, 4);
    },
  );

  test('a response that is not JSON, with no retries left, is reported as such', bounded, async () => {
    const server = await stub({ pooling: () => ({ fault: { kind: 'malformed' } }) });
    await assert.rejects(prmAt(server.url).judge('P', ['a']), {
      message: `${MODEL} at ${server.url}: the response is not JSON`,
    });
  });

  test(
    'a problem whose first step does not fit the input budget is an error, and nothing is sent',
    bounded,
    async () => {
      const server = await stub({ pooling: scoring([0.9]) });
      await assert.rejects(prmAt(server.url, { maxInputTokens: 50 }).judge('x'.repeat(300), ['a']), {
        message: "the problem and the first step exceed the PRM's input budget of 50 tokens",
      });
      assert.equal(server.requests.length, 0);
    },
  );

  test(
    'cancelling the samples of a batch in flight stops the request and fails them as cancelled',
    bounded,
    async () => {
      const server = await stub({ pooling: () => ({ fault: { kind: 'hang' } }) });
      const prm = prmAt(server.url, { batchSize: 2 });
      const cancel = new AbortController();
      const judged = Promise.allSettled([
        prm.judge('P', ['a'], cancel.signal),
        prm.judge('Q', ['b'], cancel.signal),
      ]);
      await once(server.events, 'request');
      cancel.abort();
      for (const result of await judged) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof CancelledError, String(result.reason));
      }
    },
  );

  test('cancelling one conversation in flight fails it as cancelled', bounded, async () => {
    const server = await stub({ pooling: () => ({ fault: { kind: 'hang' } }) });
    const cancel = new AbortController();
    const judged = prmAt(server.url).judge('P', ['a'], cancel.signal);
    await once(server.events, 'request');
    cancel.abort();
    await assert.rejects(judged, CancelledError);
  });

  test(
    'a sample cancelled while it waits for its batch is failed as cancelled, and never sent',
    bounded,
    async () => {
      const server = await stub({ pooling: scoring([0.9]) });
      const prm = prmAt(server.url, { batchSize: 2 });
      const cancel = new AbortController();
      const cancelled = prm.judge('P', ['a'], cancel.signal);
      cancel.abort();
      const kept = prm.judge('Q', ['b']);
      await assert.rejects(cancelled, CancelledError);
      assert.deepEqual((await kept).stepScores, [0.9]);
      assert.deepEqual(
        bodies(server).map((body) => body.messages?.[1]?.content),
        ['Q'],
      );
    },
  );
});
