/**
 * The user cancels while one sample is being scored and another is still being written: the run
 * keeps what finished, keeps the unfinished text marked cancelled, and records no failure and no
 * judgement that the cancel cut short. Real stub servers on 127.0.0.1, the real `openai` client.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import type { Problem } from '../../src/core/problems.js';
import { type Run, RunSchema } from '../../src/core/schemas.js';
import { analyze, type PipelineEvent } from '../../src/llm/pipeline.js';
import { scenario, solution } from '../fixtures/scenario.js';
import { type Stub, startStub } from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((stub) => stub.close())));

const problem: Problem = {
  id: 'p1',
  text: 'What is 6 times 7?',
  reference: '42',
  format: 'text',
  source: { file: 'p1.md' },
};

const short = solution('short', '42', { steps: 2, verdicts: [-1] });
const long = solution('long', '42', { steps: 20, verdicts: [-1] });
const longer = solution('longer', '42', { steps: 30, verdicts: [-1] });

/**
 * Three samples in one stream: the short one finishes, the two long ones stall midway. Its critiques hang;
 * the user cancels the moment the PRM is asked to score the short one.
 */
async function cancelWhileScoring(onEvent?: (event: PipelineEvent) => void): Promise<Run> {
  const controller = new AbortController();
  const world = scenario([short, long, longer], {
    sampleFault: () => ({ kind: 'stall', afterChunks: 12 }),
    criticFault: () => ({ kind: 'hang' }),
  });
  const policy = await startStub({ chat: world.chat! });
  const prm = await startStub({
    pooling: (body, call) => {
      controller.abort();
      return world.pooling!(body, call);
    },
  });
  stubs.push(policy, prm);
  const config = RunConfigSchema.parse({
    policy: { baseUrl: policy.baseUrl, model: 'policy-model', n: 3, timeoutMs: 10_000, maxRetries: 0 },
    selfJudge: { mode: 'critic', samples: 2 },
    prms: [{ id: 'prm', kind: 'vllm-pooling', baseUrl: prm.url, model: 'prm-model', timeoutMs: 10_000 }],
  });
  return analyze(problem, {
    config,
    resolveKey: () => undefined,
    tuning: { lingerMs: 1 },
    signal: controller.signal,
    ...(onEvent ? { onEvent } : {}),
  });
}

function assertCancelledRun(run: Run): void {
  assert.equal(run.status, 'cancelled');
  const onDisk = JSON.parse(JSON.stringify(run));
  assert.deepEqual(RunSchema.parse(onDisk), onDisk, 'a valid run file as it is');
  assert.deepEqual(
    run.samples.map((sample) => sample.index),
    [0, 1, 2],
  );
  assert.ok(
    run.samples.every((sample) => sample.error === undefined),
    'a cancel is not a failure',
  );

  const [finished, ...unfinished] = run.samples;
  assert.equal(finished!.answer, '42');
  assert.equal(finished!.cancelled, undefined);
  assert.deepEqual(finished!.judgements, {}, 'judgements the cancel cut short stay absent');

  for (const [sample, written] of [
    [unfinished[0]!, long],
    [unfinished[1]!, longer],
  ] as const) {
    assert.equal(sample.cancelled, true);
    assert.equal(sample.finishReason, 'cancelled');
    assert.equal(sample.answer, null, 'an unfinished text has no answer');
    assert.equal('correct' in sample, false);
    assert.ok(sample.text.length > 0 && written.choice.content.startsWith(sample.text));
    assert.ok(sample.text.length < written.choice.content.length);
    assert.ok(sample.steps.length > 0, 'split into steps for reading');
    assert.deepEqual(sample.judgements, {});
  }
  assert.ok(
    run.rerank.every((pick) => pick.sample === null || pick.sample === 0),
    'unfinished samples are never voted',
  );
}

test('cancel while scoring: what finished is kept, the unfinished text is kept marked cancelled', async () => {
  const events: PipelineEvent[] = [];
  const run = await cancelWhileScoring((event) => events.push(event));
  assertCancelledRun(run);
  const sampled = events.flatMap((event) => (event.type === 'sampled' ? [event] : []));
  assert.deepEqual(
    sampled.map((event) => [event.sample.index, event.done, event.total, event.sample.cancelled ?? false]),
    [
      [0, 1, 3, false],
      [1, 1, 3, true],
      [2, 1, 3, true],
    ],
  );
  assert.deepEqual(
    events.filter((event) => event.type === 'judged'),
    [],
  );
});

test('cancel while scoring, with no live view: the same run', async () => {
  assertCancelledRun(await cancelWhileScoring());
});
