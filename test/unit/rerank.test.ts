import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aggregateScores, rerank } from '../../src/core/rerank.js';
import type { JudgeInfo, Sample } from '../../src/core/schemas.js';

describe('solution scores', () => {
  const scores = [0.9, null, 0.5, 0.8];
  test('min, product, mean skip unscored steps; last is the last step or nothing', () => {
    assert.equal(aggregateScores(scores, 'min'), 0.5);
    assert.ok(Math.abs((aggregateScores(scores, 'product') ?? 0) - 0.36) < 1e-12);
    assert.ok(Math.abs((aggregateScores(scores, 'mean') ?? 0) - 2.2 / 3) < 1e-12);
    assert.equal(aggregateScores(scores, 'last'), 0.8);
    assert.equal(aggregateScores([0.9, null], 'last'), null);
    assert.equal(aggregateScores([null, null], 'min'), null);
    assert.equal(aggregateScores([], 'mean'), null);
  });
});

function sample(
  index: number,
  answer: string | null,
  self: number | undefined,
  prm: number | null,
  error?: string,
): Sample {
  return {
    index,
    text: '',
    steps: ['x'],
    answer,
    judgements: {
      ...(self !== undefined ? { self: { stepScores: [1], firstError: self } } : {}),
      prm: { stepScores: [prm], firstError: -1, solutionScore: prm },
    },
    ...(error ? { error } : {}),
  };
}

const judges: JudgeInfo[] = [
  { id: 'self', kind: 'self-critic', model: 'm' },
  { id: 'prm', kind: 'vllm-pooling', model: 'p' },
];

describe('rerankers', () => {
  test('majority, PRM best-of-N, PRM-weighted and Self-PRM can each pick differently', () => {
    const samples = [
      sample(0, '7', 0, 0.2),
      sample(1, '7', 1, 0.3),
      sample(2, '7', 0, 0.1),
      sample(3, '9', -1, 0.95),
      sample(4, '8', -1, 0.4),
      sample(5, '8', -1, 0.5),
    ];
    const picks = Object.fromEntries(rerank(samples, judges, '8').map((pick) => [pick.method, pick]));
    assert.equal(picks.majority?.answer, '7');
    assert.equal(picks.majority?.correct, false);
    assert.equal(picks['prm-best-of-n']?.sample, 3);
    assert.equal(picks['prm-best-of-n']?.correct, false);
    assert.equal(picks['prm-weighted']?.answer, '9');
    assert.equal(picks['self-prm']?.answer, '8');
    assert.equal(picks['self-prm']?.correct, true);
    assert.equal(picks['self-prm']?.fallback, false);
  });

  test('Self-PRM falls back to majority, and says so, when it trusts no sample; failed samples never count', () => {
    const samples = [
      sample(0, '5', 1, 0.5),
      sample(1, '6', 0, 0.5),
      sample(2, '6', 0, 0.5),
      sample(3, '5', -1, 0.9, 'HTTP 500'),
    ];
    const picks = Object.fromEntries(rerank(samples, judges, undefined).map((pick) => [pick.method, pick]));
    assert.equal(picks['self-prm']?.fallback, true);
    assert.equal(picks['self-prm']?.answer, '6');
    assert.match(picks['self-prm']?.rule ?? '', /plain majority/);
    assert.equal(picks['self-prm']?.correct, undefined);
    // Sample 3 failed: its high score does not make it the best of N. Ties go to the lowest index.
    assert.equal(picks['prm-best-of-n']?.sample, 0);
    assert.equal(picks['prm-best-of-n']?.tie, true);
  });

  test('a sample cut short by a cancel is never voted, even with an answer and scores', () => {
    const cut = { ...sample(2, '9', -1, 0.99), cancelled: true as const };
    const samples = [sample(0, '8', 1, 0.5), sample(1, '7', -1, 0.4), cut, { ...cut, index: 3 }];
    for (const pick of rerank(samples, judges, '8')) {
      assert.ok(pick.sample === 0 || pick.sample === 1, `${pick.method} picked sample ${pick.sample}`);
      assert.notEqual(pick.answer, '9');
    }
  });
});
