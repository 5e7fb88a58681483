/** Rescore Run…: the judges offered, the settings narrowed to the chosen ones, the sentence after. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RunConfig, RunConfigSchema } from '../../src/core/config.js';
import type { Judgement, Run, Sample } from '../../src/core/schemas.js';
import { configFor, describeRescore, judgeChoices } from '../../src/host/rescoreChoice.js';

const config: RunConfig = RunConfigSchema.parse({
  policy: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen/QwQ-32B' },
  prms: [
    {
      id: 'qwen-prm',
      kind: 'vllm-pooling',
      baseUrl: 'http://127.0.0.1:8001',
      model: 'Qwen/Qwen2.5-Math-PRM-7B',
    },
    { id: 'critic-b', kind: 'chat-critic', baseUrl: 'http://127.0.0.1:8002/v1', model: 'other' },
  ],
});
const judges = (...ids: string[]): Run['judges'] =>
  ids.map((id) => ({ id, kind: 'self-critic', model: 'm' }));

describe('the judges Rescore Run… offers', () => {
  test('every configured judge, each marked as in the run or new', () => {
    assert.deepEqual(judgeChoices(config, { judges: judges('self', 'qwen-prm') }), [
      { id: 'self', what: 'Self-PRM critic (Qwen/QwQ-32B)', inRun: true },
      { id: 'qwen-prm', what: 'vllm-pooling PRM (Qwen/Qwen2.5-Math-PRM-7B)', inRun: true },
      { id: 'critic-b', what: 'chat-critic PRM (other)', inRun: false },
    ]);
  });

  test('Self-PRM switched off is not offered', () => {
    const off = { ...config, selfJudge: { ...config.selfJudge, mode: 'off' as const } };
    assert.deepEqual(
      judgeChoices(off, { judges: [] }).map((choice) => choice.id),
      ['qwen-prm', 'critic-b'],
    );
  });

  test('the settings narrowed to the chosen judges run exactly those', () => {
    const onlyPrm = configFor(config, ['critic-b']);
    assert.equal(onlyPrm.selfJudge.mode, 'off');
    assert.deepEqual(
      onlyPrm.prms.map((prm) => prm.id),
      ['critic-b'],
    );
    const selfToo = configFor(config, ['self', 'qwen-prm']);
    assert.equal(selfToo.selfJudge.mode, 'critic');
    assert.deepEqual(
      selfToo.prms.map((prm) => prm.id),
      ['qwen-prm'],
    );
  });
});

describe('what a rescore changed', () => {
  const judgement = (error?: string): Judgement => ({
    stepScores: [error ? null : 0.9],
    firstError: error ? null : -1,
    solutionScore: error ? null : 0.9,
    ...(error ? { error } : {}),
  });
  const sample = (index: number, judgements: Sample['judgements']): Sample => ({
    index,
    text: 'a',
    steps: ['a'],
    answer: '1',
    judgements,
  });
  const finished = (samples: Sample[]): Run =>
    ({ problem: { id: 'p1' }, samples, judges: judges('self', 'qwen-prm', 'critic-b') }) as unknown as Run;

  test('replaced, added, kept, and the judgements that failed', () => {
    const run = finished([
      sample(0, { self: judgement(), 'qwen-prm': judgement(), 'critic-b': judgement('HTTP 500') }),
      sample(1, {
        self: judgement(),
        'qwen-prm': judgement('fetch failed'),
        'critic-b': judgement('HTTP 500'),
      }),
      { index: 2, text: '', steps: [], answer: null, error: 'sampling failed', judgements: {} },
    ]);
    assert.equal(
      describeRescore({ judges: judges('self', 'qwen-prm') }, run, ['qwen-prm', 'critic-b']),
      'Rescored 2 samples of p1: qwen-prm replaced, critic-b added (self kept); 3 judgements failed (see the log).',
    );
  });

  test('one sample, nothing failed', () => {
    const run = finished([sample(0, { self: judgement() })]);
    assert.equal(
      describeRescore({ judges: judges('self') }, run, ['self']),
      'Rescored 1 sample of p1: self replaced.',
    );
  });
});
