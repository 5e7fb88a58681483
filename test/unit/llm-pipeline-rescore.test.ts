/**
 * Rescoring a saved run with other judges: which samples are judged again, which PRMs the run
 * keeps, and what the run says about itself meanwhile and after. Real stub servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import type { Run } from '../../src/core/schemas.js';
import { type PipelineEvent, rescore } from '../../src/llm/pipeline.js';
import { smallRun } from '../fixtures/smallRun.js';
import { poolingInputs, rewardPairs, type Stub, startStub, stepsIn } from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((stub) => stub.close())));

/** The small run, with a second PRM and three samples no judge can use: failed, cancelled, empty. */
function savedRun(status: Run['status']): Run {
  const run = smallRun();
  run.status = status;
  run.config.prms.push({
    id: 'old-prm',
    kind: 'vllm-pooling',
    baseUrl: 'http://127.0.0.1:8002',
    model: 'old-prm-model',
  } as Run['config']['prms'][number]);
  run.judges.push({ id: 'old-prm', kind: 'vllm-pooling', model: 'old-prm-model' });
  run.samples.push(
    {
      index: 3,
      text: '6 × 7 = 42',
      steps: ['6 × 7 = 42'],
      answer: null,
      error: 'policy-model: HTTP 500: overloaded',
      judgements: {},
    },
    {
      index: 4,
      text: 'Six sevens are',
      steps: ['Six sevens are'],
      answer: null,
      finishReason: 'cancelled',
      cancelled: true,
      judgements: {},
    },
    { index: 5, text: '', reasoning: 'Hmm.', steps: [], answer: null, judgements: {} },
  );
  return run;
}

async function judges() {
  const critic = await startStub({
    chat: (body) => ({
      choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'All fine: \\boxed{-1}' })),
    }),
  });
  const prm = await startStub({
    pooling: (body) => ({
      data: poolingInputs(body).map((input) =>
        rewardPairs(Array.from({ length: stepsIn(input) }, () => 0.8)),
      ),
    }),
  });
  stubs.push(critic, prm);
  const config = RunConfigSchema.parse({
    policy: { baseUrl: critic.baseUrl, model: 'critic-model', timeoutMs: 5000 },
    selfJudge: { mode: 'critic', samples: 2 },
    prms: [
      { id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: prm.url, model: 'new-prm-model', timeoutMs: 5000 },
    ],
    aggregate: 'mean',
  });
  return { critic, prm, config };
}

test('rescoring judges only the samples that finished with steps; the PRMs the new config names replace the old, the others stay', async () => {
  const { critic, prm, config } = await judges();
  const events: PipelineEvent[] = [];
  const saved = savedRun('complete');
  const run = await rescore(saved, {
    config,
    resolveKey: () => undefined,
    tuning: { lingerMs: 1 },
    onEvent: (event) => events.push(event),
  });

  const started = events[0];
  assert.ok(started?.type === 'started' && started.run.status === 'running', 'shown as running meanwhile');
  assert.equal(run.status, 'complete');

  assert.deepEqual(
    run.config.prms.map((entry) => [entry.id, entry.model]),
    [
      ['old-prm', 'old-prm-model'],
      ['qwen-prm', 'new-prm-model'],
    ],
  );
  assert.deepEqual(
    run.judges.map((judge) => judge.id),
    ['old-prm', 'self', 'qwen-prm'],
  );

  assert.equal(critic.requests.length, 3, 'one critique request for each of the three good samples');
  assert.equal(prm.requests.flatMap((request) => poolingInputs(request.body as never)).length, 3);
  for (const sample of run.samples.slice(0, 3)) {
    assert.deepEqual(sample.judgements.self?.verdicts, [-1, -1]);
    assert.deepEqual(sample.judgements['qwen-prm']?.stepScores, [0.8, 0.8]);
  }
  for (const sample of run.samples.slice(3))
    assert.deepEqual(sample.judgements, {}, `sample ${sample.index} is not judged`);
  assert.equal(events.filter((event) => event.type === 'judged').length, 6);
});

test('rescoring a run whose sampling was cancelled leaves it cancelled', async () => {
  const { config } = await judges();
  const run = await rescore(savedRun('cancelled'), {
    config,
    resolveKey: () => undefined,
    tuning: { lingerMs: 1 },
  });
  assert.equal(run.status, 'cancelled');
  assert.deepEqual(run.samples[0]!.judgements['qwen-prm']?.stepScores, [0.8, 0.8]);
});
