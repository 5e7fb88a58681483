import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { ChatEndpoint } from '../../src/llm/chat.js';
import { analyze } from '../../src/llm/pipeline.js';
import { type Stub, startStub } from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((stub) => stub.close())));

async function endpointFor(
  reply: Parameters<typeof startStub>[0],
  limits: { maxRetries?: number; concurrency?: number; timeoutMs?: number } = {},
): Promise<{ endpoint: ChatEndpoint; stub: Stub }> {
  const stub = await startStub(reply);
  stubs.push(stub);
  const endpoint = new ChatEndpoint({
    baseUrl: stub.baseUrl,
    model: 'm',
    timeoutMs: limits.timeoutMs ?? 300,
    // Far from the default 3 × timeout: these streams are about silence, however slow the machine.
    requestDeadlineMs: 60_000,
    maxRetries: limits.maxRetries ?? 1,
    concurrency: limits.concurrency ?? 2,
    backoff: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  return { endpoint, stub };
}

const longAnswer = Array.from({ length: 12 }, (_, i) => `word${i}`).join(' ');
const talkingAnswer = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

test('a stream that keeps talking may take longer than the timeout: the timeout counts silence', async () => {
  // 40 chunks 60 ms apart: the answer takes 2.3 s, more than twice the 1 s timeout. Each gap is a
  // sixteenth of the timeout (with 300 ms, a loaded machine once stalled past it between chunks).
  const { endpoint, stub } = await endpointFor(
    {
      chat: () => ({ choices: [{ content: talkingAnswer }], chunkDelayMs: 60 }),
      chunkSize: 1,
    },
    { timeoutMs: 1000 },
  );
  const got: string[] = [];
  const left = await endpoint.stream({ messages: [{ role: 'user', content: 'q' }] }, [0], {
    onChoice: (_, choice) => got.push(choice.content),
  });
  assert.deepEqual(left, []);
  assert.equal(got[0], talkingAnswer);
  assert.equal(stub.requests.length, 1, 'one request, never timed out and retried');
});

test('a stream that goes silent midway times out and is retried; reported choices carry usage when n = 1', async () => {
  const { endpoint, stub } = await endpointFor({
    chat: (_body, call) =>
      call === 0
        ? { choices: [{ content: longAnswer }], fault: { kind: 'stall', afterChunks: 3 } }
        : { choices: [{ content: 'fine' }], usage: { prompt_tokens: 11, completion_tokens: 1 } },
  });
  const got: { content: string; usage?: unknown }[] = [];
  await endpoint.stream({ messages: [{ role: 'user', content: 'q' }] }, [0], {
    onChoice: (_, choice) => got.push(choice),
  });
  assert.equal(stub.requests.length, 2);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.content, 'fine');
  assert.deepEqual(
    got[0]!.usage,
    { promptTokens: 11, completionTokens: 1 },
    'usage from the include_usage chunk',
  );
});

test('a stream that dribbles a chunk forever ends at the request deadline: the sample fails naming it, not retried', {
  timeout: 20_000,
}, async () => {
  const { stub } = await endpointFor({
    chat: () => ({ choices: [{ content: longAnswer }], fault: { kind: 'dribble', everyMs: 50 } }),
    chunkSize: 1,
  });
  const config = RunConfigSchema.parse({
    // The silence timeout is 20 chunk gaps long, so only the deadline can end this stream, even on a
    // loaded machine (at 4 gaps, a stalled event loop let the silence fire first).
    policy: {
      baseUrl: stub.baseUrl,
      model: 'm',
      n: 1,
      timeoutMs: 1000,
      requestDeadlineMs: 1500,
      maxRetries: 2,
    },
    selfJudge: { mode: 'off' },
  });
  const run = await analyze(
    { id: 'p', text: 'What is 6 times 7?', format: 'text', source: { file: 'p.md' } },
    { config, resolveKey: () => undefined, tuning: { backoff: { baseDelayMs: 1, maxDelayMs: 2 } } },
  );
  assert.equal(run.samples.length, 1);
  assert.match(run.samples[0]!.error ?? '', /no complete answer within the request deadline of 1500 ms/);
  assert.equal(stub.requests.length, 1, 'a deadline is not retried');
});

test('time spent waiting for a concurrency slot is not silence: a queued request is not timed out', async () => {
  // One slot; the first stream talks for 11 × 60 ms = 660 ms, more than twice the 300 ms timeout,
  // while the second request waits its turn.
  const { endpoint, stub } = await endpointFor(
    { chat: () => ({ choices: [{ content: longAnswer }], chunkDelayMs: 60 }), chunkSize: 1 },
    { maxRetries: 0, concurrency: 1 },
  );
  const request = { messages: [{ role: 'user' as const, content: 'q' }] };
  const got: string[] = [];
  const onChoice = (_: number, choice: { content: string }) => got.push(choice.content);
  const [first, second] = await Promise.all([
    endpoint.stream(request, [0], { onChoice }),
    endpoint.stream(request, [0], { onChoice }),
  ]);
  assert.deepEqual([first, second], [[], []], 'both answered in full');
  assert.deepEqual(got, [longAnswer, longAnswer]);
  assert.equal(stub.requests.length, 2, 'neither was timed out and sent again');
});
