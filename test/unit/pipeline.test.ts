import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replayAudit, stampEvent } from '../../src/core/audit.js';
import { type RunConfig, RunConfigSchema } from '../../src/core/config.js';
import { agreementReport, exportFiles } from '../../src/core/export.js';
import type { Problem } from '../../src/core/problems.js';
import { type Run, RunSchema } from '../../src/core/schemas.js';
import { analyze, type PipelineEvent, rescore } from '../../src/llm/pipeline.js';
import { type ScenarioOptions, type ScriptedSolution, scenario, solution } from '../fixtures/scenario.js';
import type { ChatRequestBody, Stub, StubOptions } from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';

const stub = stubsPerFile();

const problem: Problem = {
  id: 'p1',
  text: 'What is 6 times 7?',
  reference: '42',
  format: 'text',
  source: { file: 'p1.md' },
};

function configFor(
  policy: Stub,
  prm: Stub | undefined,
  overrides: Record<string, unknown> = {},
  policyOverrides: Record<string, unknown> = {},
  prmOverrides: Record<string, unknown> = {},
): RunConfig {
  return RunConfigSchema.parse({
    policy: {
      baseUrl: policy.baseUrl,
      model: 'policy-model',
      n: 4,
      concurrency: 4,
      timeoutMs: 2000,
      maxRetries: 3,
      ...policyOverrides,
    },
    selfJudge: { mode: 'critic', samples: 4 },
    prms: prm
      ? [
          {
            id: 'qwen-prm',
            kind: 'vllm-pooling',
            baseUrl: prm.url,
            model: 'Qwen/Qwen2.5-Math-PRM-7B',
            timeoutMs: 2000,
            maxRetries: 3,
            ...prmOverrides,
          },
        ]
      : [],
    ...overrides,
  });
}

const fast = { backoff: { baseDelayMs: 5, maxDelayMs: 20 }, lingerMs: 5 };

function fourSolutions(): ScriptedSolution[] {
  return [
    solution('alpha', '42', { verdicts: [-1, -1, -1, 1], prm: [0.99, 0.95, 0.9] }),
    solution('beta', '41', { verdicts: [1, 1, 1, -1], prm: [0.98, 0.2, 0.1] }),
    solution('gamma', '42', { verdicts: [-1, -1, 2, 2], prm: [0.97, 0.8, 0.85] }),
    solution('delta', '40', { verdicts: [0, 0, 0, 0], prm: [0.3, 0.2, 0.1] }),
  ];
}

async function runScenario(
  solutions: ScriptedSolution[],
  options: ScenarioOptions & {
    refuseN?: boolean;
    refuseBatchInput?: boolean;
    config?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    prm?: Record<string, unknown>;
    signal?: AbortSignal;
  } = {},
  events: PipelineEvent[] = [],
): Promise<{ run: Run; policy: Stub; prm: Stub }> {
  const world = scenario(solutions, options);
  const policy = await stub({ chat: world.chat!, ...(options.refuseN ? { refuseN: true } : {}) });
  const prm = await stub({
    pooling: world.pooling!,
    ...(options.refuseBatchInput ? { refuseBatchInput: true } : {}),
  });
  const run = await analyze(problem, {
    config: configFor(policy, prm, options.config, options.policy, options.prm),
    resolveKey: () => undefined,
    tuning: fast,
    onEvent: (event) => events.push(event),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { run, policy, prm };
}

function byMarker(run: Run, marker: string) {
  const found = run.samples.find((sample) => sample.steps[0]?.startsWith(marker));
  assert.ok(found, `no sample for ${marker}`);
  return found;
}

describe('a clean run', () => {
  test('self and PRM step scores are exactly what the endpoints said, and the rerankers pick right', async () => {
    const events: PipelineEvent[] = [];
    const { run, policy, prm } = await runScenario(fourSolutions(), {}, events);
    RunSchema.parse(run);
    assert.equal(run.status, 'complete');
    assert.equal(run.samples.length, 4);

    const alpha = byMarker(run, 'alpha');
    assert.deepEqual(alpha.judgements.self?.stepScores, [1, 0.75, 0.75]);
    assert.equal(alpha.judgements.self?.firstError, -1);
    assert.deepEqual(alpha.judgements.self?.verdicts, [-1, -1, -1, 1]);
    assert.deepEqual(alpha.judgements['qwen-prm']?.stepScores, [0.99, 0.95, 0.9]);
    assert.equal(alpha.judgements['qwen-prm']?.solutionScore, 0.9);
    assert.equal(alpha.judgements['qwen-prm']?.firstError, -1);

    const beta = byMarker(run, 'beta');
    assert.deepEqual(beta.judgements.self?.stepScores, [1, 0.25, 0.25]);
    assert.equal(beta.judgements.self?.firstError, 1);
    assert.equal(beta.judgements['qwen-prm']?.firstError, 1);
    assert.equal(beta.correct, false);

    // gamma's critiques split 2–2 between −1 and 2: ties go to the earliest flagged step.
    assert.equal(byMarker(run, 'gamma').judgements.self?.firstError, 2);
    assert.deepEqual(byMarker(run, 'delta').judgements.self?.stepScores, [0, 0, 0]);

    const pick = (method: string) => run.rerank.find((p) => p.method === method)!;
    assert.equal(pick('majority').answer, '42');
    assert.equal(pick('majority').correct, true);
    assert.equal(pick('prm-best-of-n').sample, alpha.index);
    assert.equal(pick('prm-best-of-n').correct, true);
    assert.equal(pick('self-prm').answer, '42');
    assert.deepEqual(pick('self-prm').fallback, false);
    assert.equal(pick('prm-weighted').answer, '42');

    // One sampling request with n = 4, one critique request per sample (n = k), PRM batched.
    const sampling = policy.requests.filter((r) => !JSON.stringify(r.body).includes('paragraph_0'));
    assert.equal(sampling.length, 1);
    assert.equal((sampling[0]!.body as { n: number }).n, 4);
    assert.equal((sampling[0]!.body as { stream: boolean }).stream, true);
    assert.deepEqual((sampling[0]!.body as { stream_options: unknown }).stream_options, {
      include_usage: true,
    });
    assert.equal(policy.requests.length, 5);
    assert.ok(prm.requests.length < 4, `PRM requests should be batched, got ${prm.requests.length}`);
    const inputs = prm.requests.flatMap((r) => (r.body as { input: string[] }).input);
    assert.equal(inputs.length, 4);
    assert.match(inputs[0]!, /<\|im_start\|>assistant\n.*<extra_0>.*<extra_0>.*<extra_0><\|im_end\|>/s);

    const sampled = events.filter((e) => e.type === 'sampled');
    const judged = events.filter((e) => e.type === 'judged');
    assert.equal(sampled.length, 4);
    assert.equal(judged.length, 8);
    assert.deepEqual(
      judged.map((e) => e.done),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  test('reasoning from reasoning_content, reasoning and <think> is kept apart from the steps', async () => {
    const solutions = [
      solution('rc', '42', { verdicts: [-1], reasoning: 'reasoning_content' }),
      solution('rs', '42', { verdicts: [-1], reasoning: 'reasoning' }),
      solution('th', '42', { verdicts: [-1], reasoning: 'think' }),
      solution('none', '42', { verdicts: [-1] }),
    ];
    const { run } = await runScenario(solutions);
    for (const marker of ['rc', 'rs', 'th']) {
      const sample = byMarker(run, marker);
      assert.equal(sample.reasoning, `Let me think about ${marker} carefully.`);
      assert.equal(sample.steps.length, 3);
      assert.doesNotMatch(sample.text, /think/);
    }
    assert.equal(byMarker(run, 'none').reasoning, undefined);
  });
});

describe('faults: the run completes, the failed parts are recorded, the rest is intact', () => {
  test('429 with Retry-After and a 500 are retried; the run is whole', async () => {
    const events: PipelineEvent[] = [];
    const { run, policy } = await runScenario(
      fourSolutions(),
      {
        sampleFault: (call) =>
          call === 0 ? { kind: 'status', status: 429, retryAfterSeconds: 0 } : undefined,
        criticFault: (s, call) =>
          s.marker === 'beta' && call === 0 ? { kind: 'status', status: 500 } : undefined,
      },
      events,
    );
    assert.equal(run.samples.length, 4);
    assert.ok(run.samples.every((sample) => !sample.error && !sample.judgements.self?.error));
    const retries = events.filter((e) => e.type === 'retry');
    assert.equal(retries.length, 2);
    assert.match(retries.map((e) => (e.type === 'retry' ? e.message : '')).join(' '), /HTTP 429.*|HTTP 500/);
    assert.equal(policy.requests.length, 7);
  });

  test('a stream cut midway is retried for the samples it had not finished', async () => {
    const { run, policy } = await runScenario(fourSolutions(), {
      sampleFault: (call) => (call === 0 ? { kind: 'cut', afterChunks: 5 } : undefined),
    });
    assert.equal(run.samples.length, 4);
    assert.ok(run.samples.every((sample) => !sample.error && sample.steps.length === 3));
    const sampling = policy.requests.filter((r) => !JSON.stringify(r.body).includes('paragraph_0'));
    assert.equal(sampling.length, 2);
  });

  test('a request that hangs past the timeout fails that sample only, with the reason', async () => {
    const { run } = await runScenario(fourSolutions(), {
      refuseN: true,
      sampleFault: (call) => (call === 2 ? { kind: 'hang' } : undefined),
      policy: { timeoutMs: 400, maxRetries: 0 },
    });
    assert.equal(run.status, 'complete');
    assert.equal(run.samples.length, 4);
    const failed = run.samples.filter((sample) => sample.error);
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.error!, /no answer within 400 ms/);
    assert.deepEqual(failed[0]!.judgements, {});
    const good = run.samples.filter((sample) => !sample.error);
    assert.ok(good.every((sample) => sample.judgements.self && sample.judgements['qwen-prm']));
    // The rerankers only count samples that exist.
    assert.equal(run.rerank.find((p) => p.method === 'majority')?.sample !== failed[0]!.index, true);
  });

  test('malformed JSON from a critic is retried; a PRM with the wrong step count fails that sample only', async () => {
    const { run } = await runScenario(fourSolutions(), {
      criticFault: (s, call) => (s.marker === 'gamma' && call === 0 ? { kind: 'malformed' } : undefined),
      prmData: (s, stepsSent) =>
        (s.marker === 'delta' ? [[0.5, 0.5]] : undefined) ?? s.prm.slice(0, stepsSent).map((p) => [1 - p, p]),
    });
    assert.equal(byMarker(run, 'gamma').judgements.self?.error, undefined);
    const delta = byMarker(run, 'delta');
    assert.match(delta.judgements['qwen-prm']?.error ?? '', /1 step score\(s\) for 3 step\(s\)/);
    assert.deepEqual(delta.judgements['qwen-prm']?.stepScores, [null, null, null]);
    assert.equal(delta.judgements['qwen-prm']?.solutionScore, null);
    assert.deepEqual(byMarker(run, 'alpha').judgements['qwen-prm']?.stepScores, [0.99, 0.95, 0.9]);
    assert.deepEqual(delta.judgements.self?.stepScores, [0, 0, 0]);
  });

  test('an endpoint refusing n > 1 gets N single requests, remembered for later requests', async () => {
    const { run, policy } = await runScenario(fourSolutions(), { refuseN: true });
    assert.equal(run.samples.length, 4);
    assert.ok(run.samples.every((sample) => !sample.error && sample.judgements.self?.verdicts?.length === 4));
    const refusals = policy.requests.filter((r) => ((r.body as { n?: number }).n ?? 1) > 1);
    // The first sampling request finds out; no critique asks for n > 1 after that.
    assert.equal(refusals.length, 1);
    assert.equal(policy.requests.length, 1 + 4 + 4 * 4);
  });
});

describe('cancellation', () => {
  test('cancel mid-run saves a valid partial run marked cancelled, keeping what finished', async () => {
    const controller = new AbortController();
    const events: PipelineEvent[] = [];
    const seen = new Map<number, Set<string>>();
    const solutions = fourSolutions();
    const { run } = await runScenario(
      solutions,
      {
        refuseN: true,
        signal: controller.signal,
        // Sample 0 and its judges answer fast; the rest are slow, and the user cancels meanwhile.
        latencyMs: () => 0,
        sampleFault: (call) => (call >= 2 ? { kind: 'hang' } : undefined),
        policy: { concurrency: 4 },
      },
      new Proxy(events, {
        get(target, key, receiver) {
          if (key === 'push') {
            return (event: PipelineEvent) => {
              target.push(event);
              if (event.type !== 'judged') return target.length;
              // Cancel the moment one sample has both judges; the others are still hanging.
              const judges = (seen.get(event.sample) ?? new Set<string>()).add(event.judge);
              seen.set(event.sample, judges);
              if (judges.size === 2) controller.abort();
              return target.length;
            };
          }
          return Reflect.get(target, key, receiver);
        },
      }),
    );
    assert.equal(run.status, 'cancelled');
    const onDisk = JSON.parse(JSON.stringify(run));
    assert.deepEqual(RunSchema.parse(onDisk), onDisk, 'the partial run is a valid run file as it is');
    // The two samples that were not hanging, each with exactly the judgements that had finished.
    assert.deepEqual(
      run.samples.map((sample) => sample.index),
      [0, 1],
    );
    const finished = events.flatMap((event) =>
      event.type === 'judged' ? [`${event.sample}/${event.judge}`] : [],
    );
    const kept = run.samples.flatMap((sample) =>
      Object.keys(sample.judgements).map((judge) => `${sample.index}/${judge}`),
    );
    assert.deepEqual(kept.sort(), finished.sort());
    assert.ok(finished.includes('0/self') || finished.includes('1/self'), 'one sample had both judges');
    assert.ok(run.samples.every((sample) => !sample.error && !sample.cancelled));
  });
});

describe('judges', () => {
  test('structured output asks for a json_schema and reads the JSON; the boxed index stays the fallback', async () => {
    const policy = await stub({
      chat: (body) => {
        if (!JSON.stringify(body).includes('paragraph_0')) {
          return { choices: [{ content: 'One.\n\nTwo, so \\boxed{42}.' }] };
        }
        return {
          choices: [
            { content: JSON.stringify({ first_error_paragraph: 1, reason: 'bad step' }) },
            { content: 'Not JSON, but \\boxed{-1}' },
            { content: '<think>hmm \\boxed{0}</think> I cannot tell.' },
          ],
        };
      },
    });
    const run = await analyze(problem, {
      config: configFor(
        policy,
        undefined,
        { selfJudge: { mode: 'critic', samples: 3, structuredOutput: true } },
        { n: 1 },
      ),
      resolveKey: () => undefined,
      tuning: fast,
    });
    const critic = policy.requests.find((r) => JSON.stringify(r.body).includes('paragraph_0'))!.body as {
      response_format: { type: string; json_schema: { schema: { properties: Record<string, unknown> } } };
    };
    assert.equal(critic.response_format.type, 'json_schema');
    assert.deepEqual(critic.response_format.json_schema.schema.properties.first_error_paragraph, {
      type: 'integer',
      minimum: -1,
      maximum: Number.MAX_SAFE_INTEGER,
    });
    const self = run.samples[0]!.judgements.self!;
    assert.deepEqual(self.verdicts, [1, -1, null]);
    assert.deepEqual(self.stepScores, [1, 0.5]);
    assert.equal(self.raw?.length, 3);
  });

  test('Self-PRM stepwise scores each step by P(yes) from top_logprobs; no logprobs is a recorded error', async () => {
    const pYes = [0.9, 0.3];
    const policy = await stub({
      chat: (body) => {
        const prompt = body.messages[0]!.content;
        if (!prompt.includes('Answer Yes or No'))
          return { choices: [{ content: 'First.\n\nSo \\boxed{42}.' }] };
        const step = Number(/Is paragraph (\d+) correct/.exec(prompt)![1]);
        assert.equal(body.max_tokens, 1);
        assert.equal(body.logprobs, true);
        return {
          choices: [
            {
              content: 'Yes',
              logprobs: [
                {
                  token: 'Yes',
                  logprob: Math.log(pYes[step]! * 0.9),
                  top_logprobs: [
                    { token: 'Yes', logprob: Math.log(pYes[step]! * 0.9) },
                    { token: ' yes', logprob: Math.log(pYes[step]! * 0.1) },
                    { token: 'No', logprob: Math.log(1 - pYes[step]!) },
                  ],
                },
              ],
            },
          ],
        };
      },
    });
    const run = await analyze(problem, {
      config: configFor(policy, undefined, { selfJudge: { mode: 'stepwise' } }, { n: 1 }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    const self = run.samples[0]!.judgements.self!;
    assert.equal(run.judges[0]!.kind, 'self-stepwise');
    assert.ok(Math.abs(self.stepScores[0]! - 0.9) < 1e-9 && Math.abs(self.stepScores[1]! - 0.3) < 1e-9);
    assert.equal(self.firstError, 1);

    const noLogprobs = await stub({ chat: () => ({ choices: [{ content: 'A.\n\nB \\boxed{42}' }] }) });
    const failed = await analyze(problem, {
      config: configFor(noLogprobs, undefined, { selfJudge: { mode: 'stepwise' } }, { n: 1 }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    assert.match(failed.samples[0]!.judgements.self?.error ?? '', /returned no logprobs/);
  });

  test('chat-critic and rlhflow PRMs on their own endpoints', async () => {
    const policy = await stub({
      chat: (body) =>
        JSON.stringify(body).includes('paragraph_0')
          ? { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: '\\boxed{-1}' })) }
          : { choices: [{ content: 'Half is 21.\n\nDouble: \\boxed{42}.' }] },
    });
    const critic = await stub({
      chat: (body) => ({
        choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'Paragraph 1 is wrong: \\boxed{1}' })),
      }),
    });
    const pPlus = [0.8, 0.4];
    const rlhflow = await stub({
      chat: (body) => {
        const userTurns = body.messages.filter((m) => m.role === 'user').length;
        assert.equal(body.messages[0]!.content.startsWith(problem.text), true);
        return {
          choices: [
            {
              content: '+',
              logprobs: [
                {
                  token: '+',
                  logprob: Math.log(pPlus[userTurns - 1]!),
                  top_logprobs: [
                    { token: '+', logprob: Math.log(pPlus[userTurns - 1]!) },
                    { token: '-', logprob: Math.log(1 - pPlus[userTurns - 1]!) },
                  ],
                },
              ],
            },
          ],
        };
      },
    });
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'policy-model', n: 1, timeoutMs: 2000 },
      selfJudge: { samples: 2 },
      prms: [
        { id: 'critic', kind: 'chat-critic', baseUrl: critic.baseUrl, model: 'other-model', samples: 2 },
        { id: 'rlhf', kind: 'rlhflow', baseUrl: rlhflow.baseUrl, model: 'RLHFlow/Llama3.1-8B-PRM' },
      ],
    });
    const run = await analyze(problem, { config, resolveKey: () => undefined, tuning: fast });
    const sample = run.samples[0]!;
    assert.deepEqual(sample.judgements.self?.stepScores, [1, 1]);
    assert.deepEqual(sample.judgements.critic?.stepScores, [1, 0]);
    assert.equal(sample.judgements.critic?.firstError, 1);
    const rlhf = sample.judgements.rlhf!;
    assert.ok(Math.abs(rlhf.stepScores[0]! - 0.8) < 1e-9 && Math.abs(rlhf.stepScores[1]! - 0.4) < 1e-9);
    assert.equal(rlhf.firstError, 1);
    const second = rlhflow.requests.find((r) => (r.body as { messages: unknown[] }).messages.length === 3)!;
    assert.deepEqual(
      (second.body as { messages: { role: string; content: string }[] }).messages.map((m) => [
        m.role,
        m.content,
      ]),
      [
        ['user', `${problem.text} Half is 21.`],
        ['assistant', '+'],
        ['user', 'Double: \\boxed{42}.'],
      ],
    );
  });
});

describe('the vllm-pooling PRM', () => {
  test('a server that takes one conversation per request gets messages, one sample each', async () => {
    const { run, prm } = await runScenario(fourSolutions(), { refuseBatchInput: true });
    assert.deepEqual(byMarker(run, 'beta').judgements['qwen-prm']?.stepScores, [0.98, 0.2, 0.1]);
    const single = prm.requests.filter((r) => (r.body as { messages?: unknown }).messages);
    assert.equal(single.length, 4);
    const messages = (single[0]!.body as { messages: { role: string; content: string }[] }).messages;
    assert.deepEqual(
      messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.equal(messages[1]!.content, problem.text);
    assert.equal(messages[2]!.content.split('<extra_0>').length, 4);
  });

  test('the flat form of the response is read too', async () => {
    const { run } = await runScenario(fourSolutions(), { prmData: (s, sent) => s.prm.slice(0, sent) });
    assert.deepEqual(byMarker(run, 'gamma').judgements['qwen-prm']?.stepScores, [0.97, 0.8, 0.85]);
  });

  test('steps past the input budget are sent to no one and marked unscored, never silently cut', async () => {
    const long = solution('longone', '42', { steps: 6, verdicts: [-1], prm: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4] });
    long.choice.content = long.choice.content.replace(
      'Step 2 computes',
      `Step 2 computes ${'x '.repeat(400)}`,
    );
    const { run, prm } = await runScenario([long], { policy: { n: 1 }, prm: { maxInputTokens: 200 } });
    const scores = run.samples[0]!.judgements['qwen-prm']!;
    assert.equal(scores.unscoredFrom, 2);
    assert.deepEqual(scores.stepScores, [0.9, 0.8, null, null, null, null]);
    assert.equal(scores.error, undefined);
    const sent = (prm.requests[0]!.body as { messages: { content: string }[] }).messages[2]!.content;
    assert.equal(sent.split('<extra_0>').length - 1, 2);
    assert.doesNotMatch(sent, /Step 2 computes/);
  });
});

describe('rescore', () => {
  test('adds a PRM and replaces self without resampling; other judgements are kept', async () => {
    const solutions = fourSolutions();
    const world = scenario(solutions);
    const policy = await stub({ chat: world.chat! });
    const prm = await stub({ pooling: world.pooling! });
    const first = await analyze(problem, {
      config: configFor(policy, undefined),
      resolveKey: () => undefined,
      tuning: fast,
    });
    assert.deepEqual(
      first.judges.map((j) => j.id),
      ['self'],
    );
    const before = policy.requests.length;
    const rescored = await rescore(first, {
      config: configFor(policy, prm, { aggregate: 'mean', selfJudge: { mode: 'critic', samples: 2 } }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    const sampling = policy.requests
      .slice(before)
      .filter((r) => !JSON.stringify(r.body).includes('paragraph_0'));
    assert.equal(sampling.length, 0, 'no new samples');
    assert.deepEqual(
      rescored.judges.map((j) => j.id),
      ['self', 'qwen-prm'],
    );
    assert.equal(rescored.samples.length, 4);
    const beta = byMarker(rescored, 'beta');
    assert.equal(beta.judgements.self?.verdicts?.length, 2);
    assert.ok(Math.abs((beta.judgements['qwen-prm']?.solutionScore ?? 0) - (0.98 + 0.2 + 0.1) / 3) < 1e-9);
    assert.equal(rescored.config.aggregate, 'mean');
    assert.ok(rescored.rerank.some((pick) => pick.method === 'prm-best-of-n' && pick.judge === 'qwen-prm'));
    assert.equal(rescored.id, first.id);
  });
});

describe('τ: one threshold for every score judge, the run’s or the judge’s own', () => {
  const scored = () => [
    solution('tau-a', '42', { verdicts: [-1, -1, 1, 1], prm: [0.9, 0.6, 0.8] }),
    solution('tau-b', '42', { verdicts: [-1], prm: [0.9, 0.7, 0.69] }),
  ];

  test('τ = 0.7: the PRM’s first error is the step scored 0.6, in the run file and in report.json’s F1 inputs', async () => {
    const { run } = await runScenario(scored(), { policy: { n: 2 }, config: { threshold: 0.7 } });
    const file = RunSchema.parse(JSON.parse(JSON.stringify(run)));
    const a = byMarker(file, 'tau-a');
    const b = byMarker(file, 'tau-b');
    assert.equal(a.judgements['qwen-prm']?.firstError, 1);
    // A score equal to τ is not an error: 0.7 passes, 0.69 is the first below.
    assert.equal(b.judgements['qwen-prm']?.firstError, 2);
    // Self (critic) at τ = 0.7: its first error is the index the critiques name, not a τ cut.
    assert.equal(a.judgements.self?.firstError, 1);

    const labels = replayAudit([
      stampEvent({ type: 'firstError', sample: a.index, step: 1 }, new Date('2026-11-28T10:00:00Z')),
      stampEvent({ type: 'firstError', sample: b.index, step: 2 }, new Date('2026-11-28T10:00:00Z')),
    ]);
    const report = JSON.parse(exportFiles([{ run: file, labels }])['report.json']) as {
      judges: {
        judge: string;
        thresholds: number[];
        pairs: { sample: number; label: number; prediction: number }[];
      }[];
    };
    const prm = report.judges.find((judge) => judge.judge === 'qwen-prm')!;
    assert.deepEqual(prm.thresholds, [0.7]);
    assert.deepEqual(
      prm.pairs.map((pair) => [pair.sample, pair.label, pair.prediction]).sort(),
      [
        [a.index, 1, 1],
        [b.index, 2, 2],
      ].sort(),
    );
    assert.match(exportFiles([{ run: file, labels }])['report.md'], /\| qwen-prm \| .* \| 0\.7 \|/);
  });

  test('a PRM’s own τ overrides the run’s for that PRM only; self keeps the run’s', async () => {
    const { run } = await runScenario(scored(), {
      policy: { n: 2 },
      config: { threshold: 0.5 },
      prm: { threshold: 0.65 },
    });
    assert.equal(run.config.prms[0]?.threshold, 0.65);
    assert.equal(byMarker(run, 'tau-a').judgements['qwen-prm']?.firstError, 1);
    assert.equal(byMarker(run, 'tau-b').judgements['qwen-prm']?.firstError, -1);
  });

  test('rescoring with a new τ re-derives the first errors of the score judges it keeps', async () => {
    const { run, policy } = await runScenario(scored(), { policy: { n: 2 } });
    assert.equal(byMarker(run, 'tau-a').judgements['qwen-prm']?.firstError, -1);
    // Only self is re-run; the PRM's judgements are kept, and τ is now 0.75.
    const rescored = await rescore(run, {
      config: RunConfigSchema.parse({
        policy: { baseUrl: policy.baseUrl, model: 'policy-model', timeoutMs: 2000 },
        selfJudge: { mode: 'critic', samples: 4 },
        threshold: 0.75,
      }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    assert.equal(rescored.config.threshold, 0.75);
    assert.equal(byMarker(rescored, 'tau-a').judgements['qwen-prm']?.firstError, 1);
    assert.equal(byMarker(rescored, 'tau-b').judgements['qwen-prm']?.firstError, 1);
  });
});

describe('a judgement with no scored step is an error, never "no error"', () => {
  test('an rlhflow PRM whose first token is never "+" or "-": a per-sample error, no verdict, no solution score', async () => {
    const policy = await stub({
      chat: (body) =>
        JSON.stringify(body).includes('paragraph_0')
          ? { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: '\\boxed{-1}' })) }
          : { choices: [{ content: 'Half is 21.\n\nDouble: \\boxed{42}.' }] },
    });
    const rlhflow = await stub({
      chat: () => ({
        choices: [
          {
            content: 'Sure',
            logprobs: [{ token: 'Sure', logprob: -0.1, top_logprobs: [{ token: 'Sure', logprob: -0.1 }] }],
          },
        ],
      }),
    });
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'policy-model', n: 1, timeoutMs: 2000 },
      selfJudge: { samples: 2 },
      prms: [{ id: 'rlhf', kind: 'rlhflow', baseUrl: rlhflow.baseUrl, model: 'RLHFlow/Llama3.1-8B-PRM' }],
    });
    const run = await analyze(problem, { config, resolveKey: () => undefined, tuning: fast });
    const judgement = RunSchema.parse(JSON.parse(JSON.stringify(run))).samples[0]!.judgements.rlhf!;
    assert.deepEqual(judgement.stepScores, [null, null]);
    assert.match(judgement.error ?? '', /scored no step/);
    assert.match(judgement.error ?? '', /neither "\+" nor "-"/);
    assert.equal(judgement.firstError, null);
    assert.equal(judgement.solutionScore, null);
    const best = run.rerank.find((pick) => pick.method === 'prm-best-of-n' && pick.judge === 'rlhf')!;
    assert.equal(best.sample, null);
    assert.equal(best.unjudged, 1);
  });

  test('a critic whose critiques are all unparseable names no first error', async () => {
    const policy = await stub({
      chat: (body) =>
        JSON.stringify(body).includes('paragraph_0')
          ? { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'I am not sure.' })) }
          : { choices: [{ content: 'Half is 21.\n\nDouble: \\boxed{42}.' }] },
    });
    const run = await analyze(problem, {
      config: configFor(policy, undefined, { selfJudge: { mode: 'critic', samples: 2 } }, { n: 1 }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    const self = run.samples[0]!.judgements.self!;
    assert.match(self.error ?? '', /none of the 2 critique/);
    assert.equal(self.firstError, null);
    const pick = run.rerank.find((p) => p.method === 'self-prm')!;
    assert.equal(pick.fallback, true, 'the unjudged sample is not trusted');
    assert.equal(pick.unjudged, 1);
  });
});

describe('stepwise Self-PRM with a reasoning model', () => {
  type Token = { token: string; logprob: number; top_logprobs: { token: string; logprob: number }[] };
  const plain = (token: string): Token => ({ token, logprob: 0, top_logprobs: [{ token, logprob: 0 }] });
  const yesNo = (token: string, pYes: number): Token => ({
    token,
    logprob: Math.log(token.trim() === 'Yes' ? pYes : 1 - pYes),
    top_logprobs: [
      { token, logprob: Math.log(token.trim() === 'Yes' ? pYes : 1 - pYes) },
      {
        token: token.trim() === 'Yes' ? 'No' : 'Yes',
        logprob: Math.log(token.trim() === 'Yes' ? 1 - pYes : pYes),
      },
    ],
  });
  const text = (tokens: Token[]) => tokens.map((t) => t.token).join('');
  const pYes = [0.9, 0.2];
  const stepOf = (body: ChatRequestBody) =>
    Number(/Is paragraph (\d+) correct/.exec(body.messages[0]!.content)![1]);
  const solutionReply = { choices: [{ content: 'Half is 21.\n\nDouble: \\boxed{42}.' }] };
  const isStepwise = (body: ChatRequestBody) => body.messages[0]!.content.includes('Answer Yes or No');

  async function stepwiseRun(chat: StubOptions['chat']) {
    const policy = await stub({
      chat: (body, call) => (isStepwise(body) ? chat!(body, call) : solutionReply),
    });
    const run = await analyze(problem, {
      config: configFor(policy, undefined, { selfJudge: { mode: 'stepwise', maxTokens: 4096 } }, { n: 1 }),
      resolveKey: () => undefined,
      tuning: fast,
    });
    const stepwise = policy.requests.filter((r) => isStepwise(r.body as ChatRequestBody));
    return { run, self: run.samples[0]!.judgements.self!, stepwise };
  }

  test('<think>…</think> then Yes: the model reasons, and P(yes) is read at the answer token after </think>', async () => {
    const { self, stepwise } = await stepwiseRun((body) => {
      if (body.max_tokens === 1)
        return { choices: [{ content: '<think>', finish_reason: 'length', logprobs: [plain('<think>')] }] };
      const tokens = [
        plain('<think>'),
        plain('\n'),
        plain('Paragraph'),
        plain(` ${stepOf(body)}`),
        plain('?'),
        yesNo(' Yes', 0.99), // a Yes inside the reasoning is not the answer
        plain(', 6·7.'),
        plain('</think>'),
        plain('\n\n'),
        yesNo('Yes', pYes[stepOf(body)]!),
      ];
      return { choices: [{ content: text(tokens), logprobs: tokens }] };
    });
    assert.equal(self.error, undefined);
    assert.ok(Math.abs(self.stepScores[0]! - 0.9) < 1e-9, `step 0: ${self.stepScores[0]}`);
    assert.ok(Math.abs(self.stepScores[1]! - 0.2) < 1e-9, `step 1: ${self.stepScores[1]}`);
    assert.equal(self.firstError, 1);
    const long = stepwise.filter((r) => (r.body as ChatRequestBody).max_tokens !== 1);
    assert.equal(long.length, 2, 'one reasoning request per step');
    assert.ok(
      long.every(
        (r) => (r.body as ChatRequestBody).max_tokens === 4096 && (r.body as ChatRequestBody).logprobs,
      ),
    );
  });

  test('reasoning in reasoning_content: the answer is found after it, also when logprobs cover the reasoning', async () => {
    const { self } = await stepwiseRun((body) => {
      if (body.max_tokens === 1)
        return {
          choices: [
            { content: '', reasoning_content: 'Okay', finish_reason: 'length', logprobs: [plain('Okay')] },
          ],
        };
      const reasoning = [plain('Okay'), plain(', is it right?'), yesNo(' Yes', 0.99), plain(' it is.')];
      const answer = [yesNo('No', pYes[stepOf(body)]!), plain('.')];
      return {
        choices: [
          { content: text(answer), reasoning_content: text(reasoning), logprobs: [...reasoning, ...answer] },
        ],
      };
    });
    assert.equal(self.error, undefined);
    assert.ok(Math.abs(self.stepScores[0]! - 0.9) < 1e-9, `step 0: ${self.stepScores[0]}`);
    assert.ok(Math.abs(self.stepScores[1]! - 0.2) < 1e-9, `step 1: ${self.stepScores[1]}`);
  });

  test('reasoning that never finishes: a clear per-sample error; not trusted by Self-PRM, not in precision', async () => {
    const { run, self } = await stepwiseRun(() => {
      const tokens = [plain('<think>'), plain('\nHmm, let me check'), plain(' again')];
      return { choices: [{ content: text(tokens), finish_reason: 'length', logprobs: tokens }] };
    });
    assert.deepEqual(self.stepScores, [null, null]);
    assert.equal(self.firstError, null);
    assert.match(self.error ?? '', /reasoning did not finish within 4096 tokens/);
    assert.match(self.error ?? '', /critic/);
    const pick = run.rerank.find((p) => p.method === 'self-prm')!;
    assert.equal(pick.fallback, true);
    assert.equal(pick.unjudged, 1);
    // A person labeled the sample: the judge's missing verdict is counted beside its F1's n.
    const labels = { [run.samples[0]!.index]: { firstError: -1, steps: {} } };
    const report = agreementReport([{ run, labels }]);
    assert.equal(report.selfPrecision.againstReference.predictedPositive, 0);
    const selfRow = report.judges.find((j) => j.judge === 'self')!;
    assert.deepEqual([selfRow.processBench.n, selfRow.unjudged], [0, 1]);
  });
});
