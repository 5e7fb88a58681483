/**
 * One analysis as a user follows it: the run's name, what the live view is told and when, the
 * samples in order, a failed request counted and kept apart, retries reported, keys sent, and a
 * problem's own steps scored. Real stub servers on 127.0.0.1, the real `openai` client.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RunConfig, RunConfigSchema } from '../../src/core/config.js';
import type { Problem } from '../../src/core/problems.js';
import { RunSchema } from '../../src/core/schemas.js';
import { environmentKeys } from '../../src/llm/judges.js';
import { analyze, buildSample, newRunId, type PipelineEvent } from '../../src/llm/pipeline.js';
import { SOLVE_INSTRUCTION } from '../../src/llm/sampler.js';
import { isCriticRequest, scenario, solution } from '../fixtures/scenario.js';
import type { ChatRequestBody, Stub } from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';

const stub = stubsPerFile();

const problem: Problem = {
  id: 'p1',
  text: 'What is 6 times 7?',
  reference: '42',
  format: 'text',
  source: { file: 'p1.md' },
};

const fast = { backoff: { baseDelayMs: 1, maxDelayMs: 2 }, lingerMs: 5 };

function config(
  policy: Stub,
  settings: { policy?: Record<string, unknown>; prm?: Stub; selfJudge?: Record<string, unknown> } = {},
): RunConfig {
  return RunConfigSchema.parse({
    policy: {
      baseUrl: policy.baseUrl,
      model: 'policy-model',
      n: 1,
      timeoutMs: 5000,
      maxRetries: 3,
      ...settings.policy,
    },
    selfJudge: settings.selfJudge ?? { mode: 'off' },
    prms: settings.prm
      ? [{ id: 'prm', kind: 'vllm-pooling', baseUrl: settings.prm.url, model: 'prm-model', timeoutMs: 5000 }]
      : [],
  });
}

const sampling = (stub: Stub) =>
  stub.requests.filter((request) => !isCriticRequest(request.body as ChatRequestBody));

test("a run's name: the UTC time to the second, the problem's id made file-safe, and a random tail", () => {
  const at = new Date('2026-11-28T09:05:03.127Z');
  const named = (id: string) => newRunId({ ...problem, id }, at);
  assert.match(named('--Algebra/Problem #3..'), /^20261128-090503-Algebra-Problem-3-[0-9a-f]{4}$/);
  assert.match(named('###'), /^20261128-090503-problem-[0-9a-f]{4}$/);
  assert.match(named(`q${'x'.repeat(60)}`), new RegExp(`^20261128-090503-q${'x'.repeat(39)}-[0-9a-f]{4}$`));
  assert.notEqual(named('p1'), named('p1'));
});

test('an answer never boxed: the last number counts when the reference is a number or unknown, not when it is an expression', () => {
  const config = RunConfigSchema.parse({ policy: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } });
  const output = { content: 'Six sevens make 42.\n\nThat is all of them.' };
  const numeric = buildSample(0, output, problem, config);
  assert.equal(numeric.answer, '42');
  assert.equal(numeric.correct, true);
  const { reference: _none, ...unknown } = problem;
  const unreferenced = buildSample(0, output, unknown, config);
  assert.equal(unreferenced.answer, '42');
  assert.equal('correct' in unreferenced, false, 'no reference, no verdict');
  const symbolic = buildSample(0, output, { ...problem, reference: 'x^2 + 1' }, config);
  assert.equal(symbolic.answer, null);
  assert.equal(symbolic.correct, false);
  assert.equal(buildSample(0, { content: '' }, problem, config).answer, null);
});

test('the live view: the run first, each sample as it arrives (a failed one counted and shown), its text as it streams, each judgement against the expected total', async () => {
  const solutions = [
    solution('alpha', '42', { verdicts: [-1] }),
    solution('beta', '41', { verdicts: [1] }),
    solution('gamma', '42', { verdicts: [-1] }),
  ];
  const world = scenario(solutions, {
    sampleFault: (call) =>
      call === 0 ? { kind: 'status', status: 400, message: 'the prompt is too long' } : undefined,
  });
  // The good samples are held until the failed one is in: its missing judgements lower the total first.
  let failedIn!: () => void;
  const failed = new Promise<void>((resolve) => {
    failedIn = resolve;
  });
  const policy = await stub({
    refuseN: true,
    chat: async (body, call) => {
      const reply = await world.chat!(body, call);
      if (!isCriticRequest(body) && !reply.fault) await failed;
      return reply;
    },
  });
  const prm = await stub({ pooling: world.pooling! });
  const events: PipelineEvent[] = [];
  const run = await analyze(problem, {
    config: config(policy, {
      prm,
      selfJudge: { mode: 'critic', samples: 2 },
      policy: { n: 3, temperature: 0.3, topP: 0.9, maxTokens: 1000 },
    }),
    resolveKey: () => undefined,
    tuning: fast,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'sampled' && event.sample.error) failedIn();
    },
  });

  const [first] = events;
  assert.equal(first?.type, 'started');
  if (first?.type === 'started') {
    assert.equal(first.run.status, 'running');
    assert.deepEqual([first.run.samples, first.run.rerank], [[], []]);
    assert.deepEqual(
      first.run.judges.map((judge) => judge.id),
      ['self', 'prm'],
    );
  }

  const sampled = events.flatMap((event) => (event.type === 'sampled' ? [event] : []));
  assert.deepEqual(
    sampled.map((event) => [event.done, event.total]),
    [
      [1, 3],
      [2, 3],
      [3, 3],
    ],
  );
  const broken = sampled[0]!.sample;
  assert.match(broken.error ?? '', /HTTP 400: the prompt is too long/);
  assert.deepEqual([broken.text, broken.steps, broken.answer, broken.judgements], ['', [], null, {}]);

  // Two good samples × two judges: 4 judgements expected from the start of judging.
  const judged = events.flatMap((event) => (event.type === 'judged' ? [event] : []));
  assert.deepEqual(
    judged.map((event) => [event.done, event.total]),
    [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ],
  );

  assert.equal(run.status, 'complete');
  assert.equal(run.samples.filter((sample) => sample.error).length, 1);
  for (const sample of run.samples.filter((s) => !s.error)) {
    const streamed = events.flatMap((event) =>
      event.type === 'streaming' && event.sample === sample.index ? [event.characters] : [],
    );
    assert.ok(streamed.length > 1, 'the text arrives piece by piece');
    assert.deepEqual(
      streamed,
      [...streamed].sort((a, b) => a - b),
    );
    assert.equal(streamed.at(-1), sample.text.length);
    assert.ok(sample.usage && sample.usage.promptTokens > 0 && sample.usage.completionTokens > 0);
    assert.deepEqual(Object.keys(sample.judgements).sort(), ['prm', 'self']);
  }

  const request = sampling(policy).at(-1)!.body as ChatRequestBody;
  assert.deepEqual(request.messages, [{ role: 'user', content: `${problem.text}\n\n${SOLVE_INSTRUCTION}` }]);
  assert.equal(SOLVE_INSTRUCTION, 'Please reason step by step, and put your final answer within \\boxed{}.');
  assert.deepEqual([request.temperature, request.top_p, request.max_tokens], [0.3, 0.9, 1000]);
});

test('samples are shown the moment each finishes, and listed in the run in their order', async () => {
  const solutions = [
    solution('long', '42', { steps: 6, verdicts: [-1] }),
    solution('middle', '42', { steps: 4, verdicts: [-1] }),
    solution('short', '42', { steps: 2, verdicts: [-1] }),
  ];
  const policy = await stub({ ...scenario(solutions), chunkSize: 1 });
  const arrived: number[] = [];
  const run = await analyze(problem, {
    config: config(policy, { policy: { n: 3 } }),
    resolveKey: () => undefined,
    tuning: fast,
    onEvent: (event) => {
      if (event.type === 'sampled') arrived.push(event.sample.index);
    },
  });
  assert.equal(sampling(policy).length, 1, 'one request for all three');
  assert.deepEqual(arrived, [2, 1, 0], 'the shortest answer first');
  assert.deepEqual(
    run.samples.map((sample) => [sample.index, sample.steps.length]),
    [
      [0, 6],
      [1, 4],
      [2, 2],
    ],
  );
});

test("a problem's own steps are scored as they stand: nothing is sampled", async () => {
  const steps = ['Six times seven is 42.', 'So the answer is \\boxed{42}.'];
  const policy = await stub({
    chat: (body) => ({
      choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'All fine: \\boxed{-1}' })),
    }),
  });
  const settings = config(policy, { selfJudge: { mode: 'critic', samples: 2 } });
  const events: PipelineEvent[] = [];
  const run = await analyze(
    { ...problem, steps },
    {
      config: settings,
      resolveKey: () => undefined,
      tuning: fast,
      existingSteps: true,
      onEvent: (e) => events.push(e),
    },
  );
  assert.equal(sampling(policy).length, 0);
  assert.equal(run.samples.length, 1);
  const [sample] = run.samples;
  assert.deepEqual(sample!.steps, steps);
  assert.equal(sample!.text, steps.join('\n\n'));
  assert.deepEqual([sample!.index, sample!.answer, sample!.correct], [0, '42', true]);
  assert.deepEqual(sample!.judgements.self?.stepScores, [1, 1]);
  assert.deepEqual(
    events.map((event) => event.type),
    ['started', 'sampled', 'judged'],
  );
  const sampled = events[1]!;
  assert.ok(sampled.type === 'sampled' && sampled.done === 1 && sampled.total === 1);
  const judged = events[2]!;
  assert.ok(judged.type === 'judged' && judged.done === 1 && judged.total === 1);

  // The same without a live view.
  const quiet = await analyze(
    { ...problem, steps },
    { config: settings, resolveKey: () => undefined, tuning: fast, existingSteps: true },
  );
  assert.deepEqual(quiet.samples[0]!.steps, steps);

  for (const without of [{ ...problem, steps: [] }, problem])
    await assert.rejects(
      analyze(without, { config: settings, resolveKey: () => undefined, existingSteps: true }),
      { message: 'problem "p1" has no steps of its own to score' },
    );
});

test('retries are reported to the live view and to the caller, with the tuned backoff; with no one listening they still happen', async () => {
  const answer = solution('retried', '42', { verdicts: [-1] });
  const flaky = await stub(
    scenario([answer], {
      sampleFault: (call) => (call < 3 ? { kind: 'status', status: 503, message: 'overloaded' } : undefined),
    }),
  );
  const events: PipelineEvent[] = [];
  const told: { endpoint: string; attempt: number; delayMs: number }[] = [];
  const run = await analyze(problem, {
    config: config(flaky),
    resolveKey: () => undefined,
    tuning: {
      ...fast,
      onRetry: ({ endpoint, attempt, delayMs }) => told.push({ endpoint, attempt, delayMs }),
    },
    onEvent: (event) => events.push(event),
  });
  assert.equal(run.samples[0]!.error, undefined);
  const retries = events.flatMap((event) => (event.type === 'retry' ? [event] : []));
  assert.deepEqual(
    retries.map((event) => event.attempt),
    [1, 2, 3],
  );
  assert.ok(retries.every((event) => /HTTP 503: overloaded/.test(event.message)));
  assert.deepEqual(
    told.map((event) => [event.endpoint, event.attempt]),
    [1, 2, 3].map((attempt) => [`policy-model at ${flaky.baseUrl}`, attempt]),
  );
  assert.ok(
    told.every((event) => event.delayMs <= 2),
    `waits of ${told.map((event) => event.delayMs)} ms with a 2 ms cap`,
  );

  const limited = await stub(
    scenario([answer], {
      sampleFault: (call) => (call === 0 ? { kind: 'status', status: 429, retryAfterSeconds: 0 } : undefined),
    }),
  );
  const unheard = await analyze(problem, { config: config(limited), resolveKey: () => undefined });
  assert.equal(unheard.samples[0]!.error, undefined);
  assert.equal(limited.requests.length, 2);
});

test('no Self-PRM when it is off: no judge, no critique request', async () => {
  const policy = await stub(scenario([solution('alone', '42', { verdicts: [-1] })]));
  const run = await analyze(problem, {
    config: config(policy, { selfJudge: { mode: 'off' } }),
    resolveKey: () => undefined,
    tuning: fast,
  });
  assert.deepEqual(run.judges, []);
  assert.deepEqual(run.samples[0]!.judgements, {});
  assert.equal(policy.requests.length, 1);
});

test('each endpoint gets the key from the environment variable its config names, and nothing without one', async () => {
  const world = scenario([solution('keyed', '42', { verdicts: [-1] })]);
  const policy = await stub({ chat: world.chat! });
  const prm = await stub({ pooling: world.pooling! });
  process.env.STEPLENS_TEST_POLICY_KEY = 'sk-policy-0123456789';
  process.env.STEPLENS_TEST_PRM_KEY = 'prm-secret-0123456789';
  process.env.STEPLENS_TEST_EMPTY_KEY = '';
  try {
    const settings = config(policy, { prm, policy: { apiKeyEnv: 'STEPLENS_TEST_POLICY_KEY' } });
    settings.prms[0]!.apiKeyEnv = 'STEPLENS_TEST_PRM_KEY';
    const run = await analyze(problem, { config: settings, resolveKey: environmentKeys, tuning: fast });
    assert.ok(run.samples[0]!.judgements.prm && !run.samples[0]!.judgements.prm.error);
    assert.deepEqual(
      policy.requests.map((request) => request.authorization),
      ['Bearer sk-policy-0123456789'],
    );
    assert.deepEqual(
      prm.requests.map((request) => request.authorization),
      ['Bearer prm-secret-0123456789'],
    );
    assert.equal(
      environmentKeys({ baseUrl: policy.baseUrl, apiKeyEnv: 'STEPLENS_TEST_EMPTY_KEY' }),
      undefined,
    );
    assert.equal(environmentKeys({ baseUrl: policy.baseUrl }), undefined);
  } finally {
    delete process.env.STEPLENS_TEST_POLICY_KEY;
    delete process.env.STEPLENS_TEST_PRM_KEY;
    delete process.env.STEPLENS_TEST_EMPTY_KEY;
  }
});

test('an endpoint that refused n > 1 is not asked for it again in the next run', async () => {
  const solutions = [solution('one', '42', { verdicts: [-1] }), solution('two', '42', { verdicts: [-1] })];
  const policy = await stub({ ...scenario(solutions), refuseN: true });
  const settings = config(policy, { policy: { n: 2 } });
  const asked = () => policy.requests.map((request) => (request.body as ChatRequestBody).n ?? 1);
  const first = await analyze(problem, { config: settings, resolveKey: () => undefined, tuning: fast });
  assert.deepEqual(asked(), [2, 1, 1]);
  const second = await analyze(problem, { config: settings, resolveKey: () => undefined, tuning: fast });
  assert.deepEqual(asked(), [2, 1, 1, 1, 1]);
  for (const run of [first, second]) {
    assert.equal(RunSchema.parse(run).samples.length, 2);
    assert.ok(run.samples.every((sample) => !sample.error));
  }
});

test('a request for several samples that fails for good fails each of them, with the reason, and is not sent again one by one', async () => {
  const solutions = [solution('one', '42', { verdicts: [-1] }), solution('two', '42', { verdicts: [-1] })];
  const policy = await stub(
    scenario(solutions, { sampleFault: () => ({ kind: 'status', status: 500, message: 'overloaded' }) }),
  );
  const run = await analyze(problem, {
    config: config(policy, { policy: { n: 2, maxRetries: 1 } }),
    resolveKey: () => undefined,
    tuning: fast,
  });
  assert.equal(run.status, 'complete');
  assert.deepEqual(
    run.samples.map((sample) => [sample.index, sample.error]),
    [0, 1].map((index) => [
      index,
      `policy-model at ${policy.baseUrl}: HTTP 500: overloaded (after 2 attempts)`,
    ]),
  );
  assert.deepEqual(
    policy.requests.map((request) => (request.body as ChatRequestBody).n),
    [2, 2],
  );
});
