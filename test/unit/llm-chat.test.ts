/**
 * The chat endpoint as a user meets it: what goes out on the wire, what comes back (text, reasoning,
 * logprobs, usage), how `n` is asked for and what happens when an endpoint refuses or ignores it,
 * what is retried, and the message a failure shows. Real HTTP servers on 127.0.0.1 (the stub)
 * speak the OpenAI wire format to StepLens's real `openai` client.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ChatEndpoint, type ChatEndpointOptions, type PartialChoice } from '../../src/llm/chat.js';
import {
  type ChatReply,
  type ChatRequestBody,
  type ScriptedChoice,
  type Stub,
  type StubOptions,
  startStub,
} from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((stub) => stub.close())));

async function endpointFor(
  options: StubOptions,
  settings: Partial<ChatEndpointOptions> = {},
): Promise<{ endpoint: ChatEndpoint; stub: Stub }> {
  const stub = await startStub(options);
  stubs.push(stub);
  const endpoint = new ChatEndpoint({
    baseUrl: stub.baseUrl,
    model: 'm',
    concurrency: 4,
    timeoutMs: 5000,
    maxRetries: 0,
    backoff: { baseDelayMs: 1, maxDelayMs: 2 },
    ...settings,
  });
  return { endpoint, stub };
}

/** Always this reply. */
const replying =
  (reply: ChatReply): StubOptions['chat'] =>
  () =>
    reply;

const ask = { messages: [{ role: 'user' as const, content: 'What is 6 times 7?' }] };
const sent = (stub: Stub) => stub.requests.map((request) => request.body as ChatRequestBody);
/** A value the wire schema does not allow where the stub's types want a string. */
const notAString = 7 as unknown as string;

/** The call fails, and this is the message the user reads. */
async function failsWith(call: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

/** Runs `call` and checks the latency it reports is a part of the time it took. */
async function timed<T extends { latencyMs: number }>(call: () => Promise<T>): Promise<T> {
  const before = performance.now();
  const result = await call();
  const took = performance.now() - before;
  assert.ok(result.latencyMs >= 0 && result.latencyMs <= took, `latency ${result.latencyMs} of ${took} ms`);
  return result;
}

describe('one request, one answer', () => {
  test('the request on the wire; the answer, its reasoning and the tokens the server counted', async () => {
    const usage = {
      prompt_tokens: 12,
      completion_tokens: 5,
      completion_tokens_details: { reasoning_tokens: 3 },
    };
    const { endpoint, stub } = await endpointFor({
      chat: replying({
        choices: [{ content: '42', reasoning_content: 'six sevens', finish_reason: 'stop' }],
        usage,
      }),
    });
    const result = await timed(() => endpoint.complete({ ...ask, temperature: 0.7, max_tokens: 64 }));
    assert.deepEqual(
      sent(stub),
      [{ model: 'm', ...ask, temperature: 0.7, max_tokens: 64 }],
      'no n, no stream',
    );
    assert.deepEqual(result.choices, [{ content: '42', reasoning: 'six sevens', finishReason: 'stop' }]);
    assert.deepEqual(result.usage, { promptTokens: 12, completionTokens: 5, reasoningTokens: 3 });
  });

  test('reasoning in the "reasoning" field; an answer cut off while reasoning (content null) is empty text', async () => {
    const { endpoint } = await endpointFor({
      chat: replying({
        choices: [
          { content: null as unknown as string, reasoning: 'still thinking', finish_reason: 'length' },
        ],
        usage: { prompt_tokens: 7, completion_tokens: 9 },
      }),
    });
    const result = await endpoint.complete(ask);
    assert.deepEqual(result.choices, [{ content: '', reasoning: 'still thinking', finishReason: 'length' }]);
    assert.deepEqual(
      result.usage,
      { promptTokens: 7, completionTokens: 9 },
      'no reasoning count when not given',
    );
  });

  test('an answer with no choices is what the caller gets: one request, nothing retried', async () => {
    const { endpoint, stub } = await endpointFor({ chat: replying({ choices: [] }) });
    assert.deepEqual((await endpoint.complete(ask)).choices, []);
    assert.equal(stub.requests.length, 1);
    assert.equal(endpoint.acceptsMultipleChoices, true);
  });

  test('logprobs: each token with its alternatives; a server that sends none has none', async () => {
    const yes = { token: 'Yes', logprob: -0.1, top_logprobs: [{ token: 'No', logprob: -2.3 }] };
    const bare = { token: '.', logprob: -0.01, top_logprobs: null as unknown as [] };
    const { endpoint, stub } = await endpointFor({
      chat: replying({ choices: [{ content: 'Yes.', logprobs: [yes, bare] }] }),
    });
    const result = await endpoint.complete({ ...ask, logprobs: true, top_logprobs: 1 });
    assert.equal(sent(stub)[0]!.top_logprobs, 1);
    assert.deepEqual(result.choices[0]!.logprobs, [
      { token: 'Yes', logprob: -0.1, top: [{ token: 'No', logprob: -2.3 }] },
      { token: '.', logprob: -0.01, top: [] },
    ]);
  });
});

describe('n choices', () => {
  const three: ScriptedChoice[] = [{ content: 'a' }, { content: 'b' }, { content: 'c' }];

  test('an endpoint that takes n: one request for all, with its usage', async () => {
    const { endpoint, stub } = await endpointFor({
      chat: replying({ choices: three, usage: { prompt_tokens: 10, completion_tokens: 3 } }),
    });
    const result = await endpoint.complete(ask, 3);
    assert.deepEqual(result.choices, [
      { content: 'a', finishReason: 'stop' },
      { content: 'b', finishReason: 'stop' },
      { content: 'c', finishReason: 'stop' },
    ]);
    assert.deepEqual(result.usage, { promptTokens: 10, completionTokens: 3 });
    assert.deepEqual(
      sent(stub).map((body) => body.n),
      [3],
    );
    assert.equal(endpoint.acceptsMultipleChoices, true);
  });

  test('an endpoint that refuses n (HTTP 400) gets single requests, from then on; every request is counted', async () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 4,
      completion_tokens_details: { reasoning_tokens: 1 },
    };
    const { endpoint, stub } = await endpointFor({
      refuseN: true,
      // The second single answer is the slower: the result's latency is the slowest request's.
      chat: (_body, call) => ({
        choices: [{ content: `answer ${call}` }],
        usage,
        latencyMs: call === 1 ? 50 : 0,
      }),
    });
    const result = await endpoint.complete(ask, 2);
    assert.deepEqual(
      result.choices.map((choice) => choice.content),
      ['answer 0', 'answer 1'],
    );
    assert.deepEqual(result.usage, { promptTokens: 20, completionTokens: 8, reasoningTokens: 2 });
    assert.ok(result.latencyMs >= 45, `latency ${result.latencyMs} ms`);
    assert.deepEqual(
      sent(stub).map((body) => body.n),
      [2, undefined, undefined],
    );
    assert.equal(endpoint.acceptsMultipleChoices, false);
    await endpoint.complete(ask, 2);
    assert.deepEqual(
      sent(stub)
        .slice(3)
        .map((body) => body.n),
      [undefined, undefined],
      'remembered: n is not asked again',
    );
    // The same endpoint spelled with trailing slashes knows it too; another model there does not.
    const at = (baseUrl: string, model = 'm') =>
      new ChatEndpoint({ baseUrl, model, concurrency: 1, timeoutMs: 1000, maxRetries: 0 });
    assert.equal(at(`${stub.baseUrl}/`).acceptsMultipleChoices, false);
    assert.equal(at(`${stub.baseUrl}//`).acceptsMultipleChoices, false);
    assert.equal(at(stub.baseUrl, 'other').acceptsMultipleChoices, true);
  });

  test("HTTP 422 naming 'n' is a refusal too", async () => {
    const { endpoint, stub } = await endpointFor({
      chat: (body) =>
        (body.n ?? 1) > 1
          ? { fault: { kind: 'status', status: 422, message: "Unsupported value: 'n' must be 1" } }
          : { choices: [{ content: 'one' }] },
    });
    const result = await endpoint.complete(ask, 2);
    assert.deepEqual(
      result.choices.map((choice) => choice.content),
      ['one', 'one'],
    );
    assert.equal(stub.requests.length, 3);
    assert.equal(endpoint.acceptsMultipleChoices, false);
  });

  test('an endpoint that answers fewer choices than asked: the rest come from single requests, all counted', async () => {
    const { endpoint, stub } = await endpointFor({
      chat: (_body, call) => ({
        choices: [{ content: `answer ${call}` }],
        usage: { prompt_tokens: 10, completion_tokens: 1 + call },
        latencyMs: call === 0 ? 0 : 50,
      }),
    });
    const result = await endpoint.complete(ask, 3);
    assert.deepEqual(result.choices.map((choice) => choice.content).sort(), [
      'answer 0',
      'answer 1',
      'answer 2',
    ]);
    assert.equal(result.choices[0]!.content, 'answer 0', 'the first request’s answer first');
    assert.deepEqual(result.usage, { promptTokens: 30, completionTokens: 6 });
    assert.ok(result.latencyMs >= 45, `latency ${result.latencyMs} ms`);
    assert.deepEqual(
      sent(stub).map((body) => body.n),
      [3, undefined, undefined],
    );
    assert.equal(endpoint.acceptsMultipleChoices, false);
  });

  test('a server error is not taken for a refusal of n, even with an "n" in its message', async () => {
    const { endpoint, stub } = await endpointFor({
      chat: replying({ fault: { kind: 'status', status: 500, message: 'upstream failed (trace: n/a)' } }),
    });
    await failsWith(endpoint.complete(ask, 2), /HTTP 500: upstream failed \(trace: n\/a\)/);
    assert.equal(stub.requests.length, 1);
    assert.equal(endpoint.acceptsMultipleChoices, true);
  });

  test('a request refused for another reason reaches the caller, without the key it quoted', async () => {
    const apiKey = 'sk-test-abcdef123456';
    const { endpoint, stub } = await endpointFor(
      {
        chat: replying({
          fault: { kind: 'status', status: 401, message: 'Incorrect API key provided:', echo: 'token' },
        }),
      },
      { apiKey },
    );
    await assert.rejects(endpoint.complete(ask, 2), (error: Error) => {
      assert.equal(error.name, 'EndpointError', 'a failure of the endpoint, not of StepLens');
      assert.match(
        error.message,
        /^m at http:\/\/127\.0\.0\.1:\d+\/v1: HTTP 401: Incorrect API key provided: \[redacted\]$/,
      );
      return true;
    });
    assert.equal(stub.requests[0]!.authorization, `Bearer ${apiKey}`);
    assert.equal(stub.requests.length, 1);
    assert.equal(endpoint.acceptsMultipleChoices, true);
  });
});

describe('failures: what is retried, and what the user reads', () => {
  test('HTTP 503 is retried after its Retry-After; onRetry hears which endpoint, which attempt and why', async () => {
    const events: { attempt: number; delayMs: number; endpoint: string; message: string }[] = [];
    const { endpoint, stub } = await endpointFor(
      {
        chat: (_body, call) =>
          call === 0
            ? { fault: { kind: 'status', status: 503, message: 'overloaded', retryAfterSeconds: 0 } }
            : { choices: [{ content: 'ok' }] },
      },
      {
        maxRetries: 2,
        onRetry: ({ attempt, delayMs, endpoint, error }) =>
          events.push({ attempt, delayMs, endpoint, message: error.message }),
      },
    );
    assert.equal((await endpoint.complete(ask)).choices[0]!.content, 'ok');
    assert.deepEqual(events, [
      {
        attempt: 1,
        delayMs: 0,
        endpoint: endpoint.label,
        message: `${endpoint.label}: HTTP 503: overloaded`,
      },
    ]);
    assert.equal(stub.requests.length, 2);
  });

  for (const status of [408, 429, 500, 507]) {
    test(`HTTP ${status} is retried (no onRetry handler needed)`, async () => {
      const { endpoint, stub } = await endpointFor(
        {
          chat: (_body, call) =>
            call === 0 ? { fault: { kind: 'status', status } } : { choices: [{ content: 'ok' }] },
        },
        { maxRetries: 1 },
      );
      assert.equal((await endpoint.complete(ask)).choices[0]!.content, 'ok');
      assert.equal(stub.requests.length, 2);
    });
  }

  test('HTTP 404 is not retried', async () => {
    const { endpoint, stub } = await endpointFor(
      {
        chat: replying({ fault: { kind: 'status', status: 404, message: 'The model `m` does not exist.' } }),
      },
      { maxRetries: 2 },
    );
    await failsWith(endpoint.complete(ask), /HTTP 404: The model `m` does not exist\.$/);
    assert.equal(stub.requests.length, 1);
  });

  const bodies: [string, string, string][] = [
    [
      'an older vLLM',
      '{"object":"error","message":"maximum context length is 4096 tokens","type":"BadRequestError","code":400}',
      'maximum context length is 4096 tokens',
    ],
    ['FastAPI', '{"detail":"Not Found"}', 'Not Found'],
    ['a bare error string', '{"error":"model not loaded"}', 'model not loaded'],
    ['a proxy page', `<html>${'x'.repeat(400)}</html>`, `<html>${'x'.repeat(294)}`],
  ];
  for (const [server, body, shown] of bodies) {
    test(`the message of an error body from ${server} is what the user reads`, async () => {
      const { endpoint } = await endpointFor({
        chat: replying({ fault: { kind: 'status', status: 400, body } }),
      });
      await assert.rejects(endpoint.complete(ask), (error: Error) => {
        assert.equal(error.message, `${endpoint.label}: HTTP 400: ${shown}`);
        return true;
      });
    });
  }

  test('a server that never answers: no answer within the timeout, tried again, then given up', {
    timeout: 10_000,
  }, async () => {
    const { endpoint, stub } = await endpointFor(
      { chat: replying({ fault: { kind: 'hang' } }) },
      { timeoutMs: 100, maxRetries: 1 },
    );
    await failsWith(
      endpoint.complete(ask),
      new RegExp(`^${endpoint.label}: no answer within 100 ms \\(after 2 attempts\\)$`),
    );
    // Two attempts were made (the message counts them); on a loaded machine the second may be
    // given up before its bytes reach the server, so the server sees one or two.
    assert.ok(stub.requests.length >= 1 && stub.requests.length <= 2, `${stub.requests.length} requests`);
  });

  test('an endpoint nobody listens at: connection failed', async () => {
    const stub = await startStub();
    await stub.close();
    const endpoint = new ChatEndpoint({
      baseUrl: stub.baseUrl,
      model: 'm',
      concurrency: 1,
      timeoutMs: 5000,
      maxRetries: 0,
    });
    await failsWith(endpoint.complete(ask), new RegExp(`^${endpoint.label}: connection failed: `));
  });

  test('an answer not of the promised shape: unexpected response shape, and tried again', async () => {
    const malformed: ChatReply = { choices: [{ content: 'x', finish_reason: notAString }] };
    const { endpoint } = await endpointFor({ chat: replying(malformed) });
    await failsWith(
      endpoint.complete(ask),
      new RegExp(`^${endpoint.label}: unexpected response shape \\(.*string.*\\)$`),
    );
    const { endpoint: retrying, stub } = await endpointFor(
      { chat: (_body, call) => (call === 0 ? malformed : { choices: [{ content: 'ok' }] }) },
      { maxRetries: 1 },
    );
    assert.equal((await retrying.complete(ask)).choices[0]!.content, 'ok');
    assert.equal(stub.requests.length, 2);
  });
});

describe('streaming', () => {
  interface Reported {
    slot: number;
    content: string;
    reasoning?: string;
    finishReason: string | null;
    usage?: unknown;
  }
  const collect = () => {
    const reported: Reported[] = [];
    const progress = new Map<number, number>();
    return {
      reported,
      progress,
      handlers: {
        onChoice: (
          slot: number,
          { latencyMs: _, ...choice }: Omit<Reported, 'slot'> & { latencyMs: number },
        ) => reported.push({ slot, ...choice }),
        onProgress: (slot: number, characters: number) => progress.set(slot, characters),
      },
    };
  };

  test('one streamed answer: asked with include_usage and no n; progress counts text and reasoning; usage on the choice', async () => {
    const usage = {
      prompt_tokens: 9,
      completion_tokens: 6,
      completion_tokens_details: { reasoning_tokens: 2 },
    };
    const { endpoint, stub } = await endpointFor({
      chat: replying({
        choices: [{ reasoning_content: 'six sevens', content: 'forty two', finish_reason: 'stop' }],
        usage,
      }),
    });
    const { reported, progress, handlers } = collect();
    const before = performance.now();
    let latency = -1;
    const left = await endpoint.stream({ ...ask, max_tokens: 64 }, [4], {
      ...handlers,
      onChoice: (slot, choice) => {
        latency = choice.latencyMs;
        handlers.onChoice(slot, choice);
      },
    });
    assert.ok(latency >= 0 && latency <= performance.now() - before, `latency ${latency} ms`);
    assert.deepEqual(left, []);
    assert.deepEqual(sent(stub), [
      { model: 'm', ...ask, max_tokens: 64, stream: true, stream_options: { include_usage: true } },
    ]);
    assert.deepEqual(reported, [
      {
        slot: 4,
        content: 'forty two',
        reasoning: 'six sevens',
        finishReason: 'stop',
        usage: { promptTokens: 9, completionTokens: 6, reasoningTokens: 2 },
      },
    ]);
    assert.equal(progress.get(4), 'six sevens'.length + 'forty two'.length);
  });

  test('n streamed at once: each choice goes to its slot as it finishes, and none carries the shared usage', async () => {
    const { endpoint, stub } = await endpointFor({
      chat: replying({
        choices: [
          { content: 'short' },
          { content: 'a much longer answer', reasoning: 'hmm' },
          { content: 'mid one' },
        ],
      }),
    });
    const { reported, handlers } = collect();
    assert.deepEqual(await endpoint.stream(ask, [5, 7, 9], { onChoice: handlers.onChoice }), []);
    assert.equal(sent(stub)[0]!.n, 3);
    assert.deepEqual(reported, [
      { slot: 5, content: 'short', finishReason: 'stop' },
      { slot: 9, content: 'mid one', finishReason: 'stop' },
      { slot: 7, content: 'a much longer answer', reasoning: 'hmm', finishReason: 'stop' },
    ]);
  });

  test('a server that streams more choices than asked: the extra ones are ignored', async () => {
    const { endpoint } = await endpointFor({
      chat: replying({ choices: [{ content: 'a' }, { content: 'b' }, { content: 'c' }] }),
    });
    const { reported, handlers } = collect();
    assert.deepEqual(await endpoint.stream(ask, [0, 1], handlers), []);
    assert.deepEqual(
      reported.map((choice) => [choice.slot, choice.content]),
      [
        [0, 'a'],
        [1, 'b'],
      ],
    );
  });

  test('an endpoint that streams one choice whatever n is: the slots it never started are handed back, and it is remembered', async () => {
    const { endpoint } = await endpointFor({ chat: replying({ choices: [{ content: 'only one' }] }) });
    const { reported, handlers } = collect();
    assert.deepEqual(await endpoint.stream(ask, [0, 1, 2], handlers), [1, 2]);
    assert.deepEqual(reported, [{ slot: 0, content: 'only one', finishReason: 'stop' }]);
    assert.equal(endpoint.acceptsMultipleChoices, false);
  });

  test('an endpoint that refuses n in a stream (HTTP 400): every slot is handed back, and it is remembered', async () => {
    const { endpoint } = await endpointFor({
      refuseN: true,
      chat: replying({ choices: [{ content: 'x' }] }),
    });
    assert.deepEqual(await endpoint.stream(ask, [0, 1], collect().handlers), [0, 1]);
    assert.equal(endpoint.acceptsMultipleChoices, false);
  });

  test('a single-slot stream refused with HTTP 400 fails, even if the message names n', async () => {
    const { endpoint } = await endpointFor({
      chat: replying({ fault: { kind: 'status', status: 400, message: "Unsupported parameter: 'n'" } }),
    });
    await failsWith(endpoint.stream(ask, [0], collect().handlers), /HTTP 400: Unsupported parameter: 'n'/);
  });

  test('a stream of n refused for another reason fails', async () => {
    const { endpoint } = await endpointFor({
      chat: replying({ fault: { kind: 'status', status: 401, message: 'no key' } }),
    });
    await failsWith(endpoint.stream(ask, [0, 1], collect().handlers), /HTTP 401: no key/);
    assert.equal(endpoint.acceptsMultipleChoices, true);
  });

  const unfinished: [string, ScriptedChoice[], number[], string][] = [
    [
      'one of two started choices unfinished',
      [{ content: 'a' }, { content: 'b', finish_reason: '' }],
      [0, 1, 2],
      '2 of 3',
    ],
    ['no choice at all, n = 2', [], [0, 1], '2 of 2'],
    ['no choice at all, n = 1', [], [0], '1 of 1'],
  ];
  for (const [what, choices, slots, count] of unfinished) {
    test(`a stream that ends early (${what}) fails, saying how many choices it left unfinished`, async () => {
      const { endpoint } = await endpointFor({ chat: replying({ choices }) });
      await failsWith(
        endpoint.stream(ask, slots, collect().handlers),
        new RegExp(`^${endpoint.label}: the stream ended before ${count} choice\\(s\\) finished$`),
      );
      assert.equal(endpoint.acceptsMultipleChoices, true);
    });
  }

  test('a stream that ends with a choice unfinished is retried for that choice only', async () => {
    const { endpoint, stub } = await endpointFor(
      {
        chat: (_body, call) =>
          call === 0
            ? { choices: [{ content: 'a' }, { content: 'half an answ', finish_reason: '' }] }
            : { choices: [{ content: 'b' }] },
      },
      { maxRetries: 1 },
    );
    const { reported, handlers } = collect();
    const cancelled: number[] = [];
    const left = await endpoint.stream(ask, [0, 1], {
      ...handlers,
      onCancelled: (slot) => cancelled.push(slot),
    });
    assert.deepEqual(left, []);
    assert.deepEqual(
      reported.map((choice) => [choice.slot, choice.content]),
      [
        [0, 'a'],
        [1, 'b'],
      ],
    );
    assert.deepEqual(
      sent(stub).map((body) => body.n),
      [2, undefined],
    );
    assert.deepEqual(cancelled, [], 'a failure is not a cancel');
  });

  test('a stream that goes silent: no answer within the timeout', async () => {
    const { endpoint } = await endpointFor(
      {
        chat: replying({
          choices: [{ content: 'never finished' }],
          fault: { kind: 'stall', afterChunks: 2 },
        }),
      },
      { timeoutMs: 100 },
    );
    await failsWith(
      endpoint.stream(ask, [0], collect().handlers),
      new RegExp(`^${endpoint.label}: no answer within 100 ms$`),
    );
  });

  test('a chunk not of the promised shape: unexpected stream chunk', async () => {
    const { endpoint } = await endpointFor({
      chat: replying({ choices: [{ content: 'x', finish_reason: notAString }] }),
    });
    await failsWith(
      endpoint.stream(ask, [0], collect().handlers),
      new RegExp(`^${endpoint.label}: unexpected stream chunk \\(.*string.*\\)$`),
    );
  });

  /** Three choices; streaming stops after slot 3 has "alpha " and slot 4 has reasoning "hmm", slot 5 nothing. */
  async function cancelMidway(onCancelled?: (slot: number, partial: PartialChoice) => void) {
    const { endpoint } = await endpointFor({
      chunkSize: 1,
      chat: replying({
        choices: [{ content: 'alpha beta' }, { reasoning_content: 'hmm', content: 'x' }, { content: 'late' }],
        fault: { kind: 'stall', afterChunks: 3 },
      }),
    });
    const controller = new AbortController();
    return endpoint.stream(
      ask,
      [3, 4, 5],
      {
        onChoice: () => assert.fail('nothing finishes'),
        onProgress: (slot, characters) => {
          if (slot === 4 && characters > 0) controller.abort();
        },
        ...(onCancelled ? { onCancelled } : {}),
      },
      controller.signal,
    );
  }

  test('cancelling a stream hands the text each open choice had so far to onCancelled, then rejects as cancelled', async () => {
    const partials: [number, PartialChoice][] = [];
    await assert.rejects(
      cancelMidway((slot, partial) => partials.push([slot, partial])),
      { name: 'CancelledError', message: 'cancelled' },
    );
    assert.deepEqual(partials, [
      [3, { content: 'alpha ' }],
      [4, { content: '', reasoning: 'hmm' }],
    ]);
  });

  test('cancelling a stream without an onCancelled handler just rejects as cancelled', async () => {
    await assert.rejects(cancelMidway(), { name: 'CancelledError', message: 'cancelled' });
  });
});
