import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatEndpoint } from '../../src/llm/chat.js';
import { redact, rememberSecret } from '../../src/llm/credentials.js';
import {
  criticJudgement,
  criticPrompt,
  keepRaw,
  MAX_RAW_CHARS,
  parseCriticVerdict,
} from '../../src/llm/critic.js';
import { EndpointError, parseRetryAfter } from '../../src/llm/errors.js';
import { Limiter } from '../../src/llm/limiter.js';
import { binaryProbability, opensReasoning, scoreAfterReasoning } from '../../src/llm/logprobJudges.js';
import { renderQwenChat, stepRewards } from '../../src/llm/pooling.js';
import { backoffDelay, withRetries } from '../../src/llm/retry.js';
import { startStub } from '../fixtures/stubServer.js';
import { readFixture } from '../support.js';

describe('critic protocol', () => {
  test('the prompt tags steps as 0-indexed paragraphs and asks for a boxed index or -1', () => {
    const prompt = criticPrompt('What is 1+1?', ['One plus one.', 'Is \\boxed{2}.']);
    assert.match(
      prompt,
      /<paragraph_0>\nOne plus one\.\n<\/paragraph_0>\n\n<paragraph_1>\nIs \\boxed\{2\}\.\n<\/paragraph_1>/,
    );
    assert.match(prompt, /-1/);
    assert.match(prompt, /\\boxed\{\}/);
  });

  const cases: [string, number | null][] = [
    ['The first error is in \\boxed{2}.', 2],
    ['All fine: \\boxed{-1}', -1],
    ['\\boxed{ 1 }', 1],
    ['\\boxed{\\text{paragraph 0}}', 0],
    ['\\boxed{Paragraph\\_3}', 3],
    ['<think>maybe \\boxed{1}</think>Final: \\boxed{0}', 0],
    ['<think>thinking until cut off \\boxed{1}', null],
    ['{"first_error_paragraph": 2}', 2],
    ['\\boxed{7}', null],
    ['\\boxed{-2}', null],
    ['no verdict at all', null],
    ['\\boxed{two}', null],
    ['\\boxed{3}', 3],
    ['\\boxed{4}', null],
    ['First \\boxed{1}, on reflection \\boxed{3}.', 3],
    ['\\boxed{$2$}', 2],
    ['\\boxed{\\text{step 1}}', 1],
    ['\\boxed{index_2}', 2],
    ['{"first_error_paragraph": 9}', null],
    ['{"first_error_paragraph": "2"} and \\boxed{1}', 1],
    ['{"reason": "no index"}', null],
  ];
  for (const [output, expected] of cases) {
    test(`verdict of ${JSON.stringify(output)} is ${expected}`, () =>
      assert.equal(parseCriticVerdict(output, 4), expected));
  }

  test('step score = share of parsed critiques that leave the step unflagged; unparseable ones are counted apart', () => {
    const judgement = criticJudgement([2, -1, null, 0, 2], 4);
    assert.deepEqual(judgement.stepScores, [0.75, 0.75, 0.25, 0.25]);
    assert.equal(judgement.firstError, 2);
    assert.deepEqual(judgement.verdicts, [2, -1, null, 0, 2]);
    // Ties: between a flagged step and "no error" the flagged step wins; between two flagged steps the earlier.
    assert.equal(criticJudgement([3, -1], 4).firstError, 3);
    assert.equal(criticJudgement([3, 1, -1, 3, 1], 4).firstError, 1);
    assert.equal(criticJudgement([-1, -1, 0], 4).firstError, -1);
    assert.deepEqual(criticJudgement([-1, -1, 0], 4).stepScores, [2 / 3, 2 / 3, 2 / 3, 2 / 3]);
    const none = criticJudgement([null, null], 3);
    assert.deepEqual(none.stepScores, [null, null, null]);
    assert.match(none.error ?? '', /none of the 2 critique/);
  });
});

test('a runaway critique is kept up to a limit, and says how much was cut', () => {
  const exact = 'x'.repeat(MAX_RAW_CHARS);
  assert.equal(keepRaw(exact), exact);
  assert.equal(keepRaw(`${exact}yz`), `${exact}\n…[2 more characters not kept]`);
});

describe('PRM wire formats', () => {
  test("vLLM's real Qwen2.5-Math-PRM-7B response for ProcessBench gsm8k-0 flags step 1", () => {
    const [output] = JSON.parse(readFixture('vllm_fixture_qwen2_5_math_prm_reward_step.json')) as unknown[];
    const rewards = stepRewards(output, 4);
    assert.deepEqual(
      rewards.map((r) => Math.round(r * 1000) / 1000),
      [1, 0.181, 0.975, 1],
    );
    assert.throws(() => stepRewards(output, 5), /4 step score\(s\) for 5 step\(s\)/);
  });

  test('flat outputs: one P(right) per step, or the pairs run together', () => {
    assert.deepEqual(stepRewards([0.9, 0.2], 2), [0.9, 0.2]);
    assert.deepEqual(stepRewards([0.1, 0.9, 0.8, 0.2], 2), [0.9, 0.2]);
    assert.throws(() => stepRewards([0.9, 0.2, 0.3], 2), EndpointError);
    assert.throws(() => stepRewards([[1.5, 0]], 1), /neither/);
  });

  test('the Qwen chat template ends each step with <extra_0>', () => {
    assert.equal(
      renderQwenChat('P?', ['a', 'b']),
      '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n' +
        '<|im_start|>user\nP?<|im_end|>\n<|im_start|>assistant\na<extra_0>b<extra_0><|im_end|>\n<|endoftext|>',
    );
  });

  test('P(yes) from top logprobs sums spellings and renormalises; absent tokens give null', () => {
    const p = binaryProbability(
      [
        {
          token: 'Yes',
          logprob: Math.log(0.5),
          top: [
            { token: 'Yes', logprob: Math.log(0.5) },
            { token: ' yes', logprob: Math.log(0.1) },
            { token: 'No', logprob: Math.log(0.2) },
            { token: 'Maybe', logprob: Math.log(0.2) },
          ],
        },
      ],
      /^\s*yes\b/i,
      /^\s*no\b/i,
    );
    assert.ok(Math.abs((p ?? 0) - 0.75) < 1e-12);
    assert.equal(binaryProbability([{ token: 'Hmm', logprob: 0, top: [] }], /^yes/i, /^no/i), null);
  });
});

describe('stepwise after reasoning', () => {
  const YES_NO = { good: /^\s*yes\b/i, bad: /^\s*no\b/i, names: '"Yes" nor "No"' };
  const t = (token: string, top: [string, number][] = []) => ({
    token,
    logprob: 0,
    top: top.map(([name, p]) => ({ token: name, logprob: Math.log(p) })),
  });
  const content = (tokens: { token: string }[]) => tokens.map((entry) => entry.token).join('');

  test('a reasoning opener: <think> first, or reasoning returned apart', () => {
    assert.equal(
      opensReasoning({ content: '<think>', finishReason: 'length', logprobs: [t('<think>')] }),
      true,
    );
    assert.equal(opensReasoning({ content: '', reasoning: 'Okay', finishReason: 'length' }), true);
    assert.equal(opensReasoning({ content: 'Yes', finishReason: 'length', logprobs: [t('Yes')] }), false);
  });

  test('logprobs of the answer only: its first Yes/No token', () => {
    const tokens = [
      t('**'),
      t('Yes', [
        ['Yes', 0.6],
        ['No', 0.2],
      ]),
      t('**'),
    ];
    const result = scoreAfterReasoning(
      { content: content(tokens), reasoning: 'long thought', finishReason: 'stop', logprobs: tokens },
      YES_NO,
      100,
    );
    assert.ok(Math.abs((result.score ?? 0) - 0.75) < 1e-12);
  });

  test('no score, and why: unfinished reasoning, an answer without Yes/No', () => {
    const unfinished = [t('<think>'), t('Hmm')];
    assert.match(
      scoreAfterReasoning(
        { content: content(unfinished), finishReason: 'length', logprobs: unfinished },
        YES_NO,
        100,
      ).why ?? '',
      /did not finish within 100 tokens/,
    );
    const vague = [t('<think>'), t('Yes.'), t('</think>'), t('Probably')];
    const result = scoreAfterReasoning(
      { content: content(vague), finishReason: 'stop', logprobs: vague },
      YES_NO,
      100,
    );
    assert.equal(result.score, null);
    assert.match(result.why ?? '', /"Probably".*neither "Yes" nor "No"/);
  });
});

describe('retries and limits', () => {
  test('Retry-After in seconds, as a date, and retry-after-ms', () => {
    const headers = (entries: Record<string, string>) => new Headers(entries);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '2' })), 2000);
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '150', 'retry-after': '9' })), 150);
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const fromDate = parseRetryAfter(headers({ 'retry-after': inFiveSeconds })) ?? 0;
    assert.ok(fromDate > 3000 && fromDate <= 5000);
    assert.equal(parseRetryAfter(headers({})), undefined);
  });

  test('backoff doubles up to the cap, with full jitter', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((retry) => backoffDelay(policy, retry, () => 1)),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      0,
    );
  });

  test('withRetries retries what is retryable, honours Retry-After, and stops at a non-retryable error', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls === 1) throw new EndpointError('rate limited', true, 429, 30);
        if (calls === 2) throw new EndpointError('server error', true, 500);
        return 'ok';
      },
      {
        policy: { maxRetries: 3, timeoutMs: 1000, deadlineMs: 3000, baseDelayMs: 1, maxDelayMs: 2 },
        toEndpointError: (error) => error as EndpointError,
        onRetry: (event) => delays.push(event.delayMs),
      },
    );
    assert.equal(result, 'ok');
    assert.equal(delays[0], 30);
    assert.equal(delays.length, 2);
    let fatalCalls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          fatalCalls += 1;
          throw new EndpointError('bad request', false, 400);
        },
        {
          policy: { maxRetries: 3, timeoutMs: 1000, deadlineMs: 3000, baseDelayMs: 1, maxDelayMs: 2 },
          toEndpointError: (e) => e as EndpointError,
        },
      ),
      /bad request/,
    );
    assert.equal(fatalCalls, 1);
  });

  test('the limiter never runs more than its maximum at once, and runs all', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running -= 1;
          return i;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  for (const max of [1, 2]) {
    test(`Limiter(${max}): a released slot goes to the first waiter, not to a task arriving at that moment`, async () => {
      const limiter = new Limiter(max);
      let running = 0;
      let peak = 0;
      const order: string[] = [];
      interface Task {
        started: Promise<void>;
        /** The promise the limiter awaits: resolving it releases the slot. */
        body?: Promise<void>;
        finish: () => void;
        done: Promise<void>;
      }
      const tasks = new Map<string, Task>();
      const submit = (name: string): Task => {
        let finish!: () => void;
        const gate = new Promise<void>((resolve) => {
          finish = resolve;
        });
        let markStarted!: () => void;
        const started = new Promise<void>((resolve) => {
          markStarted = resolve;
        });
        const task: Task = { started, finish, done: Promise.resolve() };
        tasks.set(name, task);
        task.done = limiter.run(() => {
          running += 1;
          peak = Math.max(peak, running);
          order.push(name);
          markStarted();
          task.body = gate.then(() => {
            running -= 1;
          });
          return task.body;
        });
        return task;
      };
      const holders = Array.from({ length: max }, (_, i) => `holder${i}`);
      for (const name of holders) submit(name);
      for (const name of ['w1', 'w2', 'w3']) submit(name);
      assert.equal(limiter.queued, 3);
      // The late task arrives in a reaction to the first holder's end registered after the limiter's
      // own: the slot has just been released and the woken waiter has not resumed yet.
      void tasks.get('holder0')!.body!.then(() => submit('late'));
      tasks.get('holder0')!.finish();
      await tasks.get('holder0')!.done;
      assert.ok(tasks.has('late'));
      for (const name of [...holders.slice(1), 'w1', 'w2', 'w3', 'late']) {
        const task = tasks.get(name)!;
        await task.started;
        assert.ok(running <= max, `${running} tasks in flight with a limit of ${max}`);
        task.finish();
        await task.done;
      }
      assert.equal(peak, max, `peak ${peak} in flight with a limit of ${max}`);
      assert.deepEqual(order, [...holders, 'w1', 'w2', 'w3', 'late']);
    });
  }
});

describe('credentials in a base URL', () => {
  test('redact hides remembered keys, bearer/basic tokens, sk- keys and URL userinfo, and nothing else', () => {
    rememberSecret('plainsecretvalue');
    assert.equal(
      redact('got plainsecretvalue; Authorization: Bearer abc123def456; key sk-proj-AbC123xyz_789'),
      'got [redacted]; Authorization: Bearer [redacted]; key [redacted]',
    );
    assert.equal(redact('GET https://ann:pw@host.example/v1 failed'), 'GET https://host.example/v1 failed');
    for (const plain of [
      'Missing bearer token',
      'Basic authentication required',
      'see task-12345678 and support@example.com',
    ])
      assert.equal(redact(plain), plain);
  });

  test('user:pass@ is sent as Basic auth by the chat client and kept out of the label; with a key too it is refused', async () => {
    const stub = await startStub({ chat: () => ({ choices: [{ content: 'hi' }] }) });
    try {
      const baseUrl = stub.baseUrl.replace('http://', 'http://ann:p%40ss-word-1@');
      const endpoint = new ChatEndpoint({
        baseUrl,
        model: 'm',
        concurrency: 1,
        timeoutMs: 5000,
        maxRetries: 0,
      });
      await endpoint.complete({ messages: [{ role: 'user', content: 'q' }] });
      assert.equal(
        stub.requests[0]!.authorization,
        `Basic ${Buffer.from('ann:p@ss-word-1').toString('base64')}`,
      );
      assert.equal(endpoint.label, `m at ${stub.baseUrl}`);
      assert.throws(
        () =>
          new ChatEndpoint({
            baseUrl,
            model: 'm',
            apiKey: 'k-123456',
            concurrency: 1,
            timeoutMs: 1,
            maxRetries: 0,
          }),
        (error: Error) =>
          /user name and password and an API key/.test(error.message) &&
          !error.message.includes('ss-word') &&
          !error.message.includes('k-123456'),
      );
    } finally {
      await stub.close();
    }
  });
});
