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

const tau = { threshold: 0.5, prms: [] };

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
    const picks = Object.fromEntries(rerank(samples, judges, '8', tau).map((pick) => [pick.method, pick]));
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
    const picks = Object.fromEntries(
      rerank(samples, judges, undefined, tau).map((pick) => [pick.method, pick]),
    );
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
    for (const pick of rerank(samples, judges, '8', tau)) {
      assert.ok(pick.sample === 0 || pick.sample === 1, `${pick.method} picked sample ${pick.sample}`);
      assert.notEqual(pick.answer, '9');
    }
  });
});

describe('Self-PRM stepwise at τ', () => {
  test("a sample is trusted only when no step is scored below the run's τ", () => {
    const stepwise: JudgeInfo[] = [{ id: 'self', kind: 'self-stepwise', model: 'm' }];
    const scored = (index: number, answer: string, scores: number[]): Sample => ({
      index,
      text: '',
      steps: scores.map(() => 'x'),
      answer,
      // Written by a pipeline that read the first error at 0.5: −1 for all of them.
      judgements: { self: { stepScores: scores, firstError: -1 } },
    });
    const samples = [scored(0, '5', [0.9, 0.6]), scored(1, '5', [0.9, 0.65]), scored(2, '6', [0.9, 0.7])];
    const pick = rerank(samples, stepwise, '6', { threshold: 0.7, prms: [] }).find(
      (p) => p.method === 'self-prm',
    )!;
    // At τ = 0.7 only sample 2 (0.7 is not below τ) is judged error-free.
    assert.equal(pick.fallback, false);
    assert.equal(pick.answer, '6');
    assert.equal(pick.sample, 2);
  });
});

describe('no judgement is not "no error"', () => {
  test('Self-PRM trusts no sample whose judgement failed or scored no step, and counts them', () => {
    const unjudged = (index: number, answer: string, judgement: Sample['judgements'][string]): Sample => ({
      index,
      text: '',
      steps: ['x', 'y'],
      answer,
      judgements: { self: judgement, prm: judgement },
    });
    const samples = [
      // A run file from before the fix: stepwise scored nothing and said "no error".
      unjudged(0, '5', { stepScores: [null, null], firstError: -1 }),
      unjudged(1, '5', { stepScores: [null, null], firstError: -1, error: 'HTTP 500' }),
      unjudged(2, '5', { stepScores: [null, null], firstError: null, error: 'scored no step' }),
      {
        ...sample(3, '6', 1, 0.4),
        judgements: {
          self: { stepScores: [0.2], firstError: 0 },
          prm: { stepScores: [0.4], firstError: -1, solutionScore: 0.4 },
        },
      },
    ];
    const picks = rerank(samples, judges, '6', tau);
    const self = picks.find((p) => p.method === 'self-prm')!;
    assert.equal(self.fallback, true);
    assert.equal(self.unjudged, 3);
    assert.equal(self.answer, '5', 'plain majority, flagged as the fallback');
    const best = picks.find((p) => p.method === 'prm-best-of-n')!;
    assert.equal(best.sample, 3);
    assert.equal(best.unjudged, 3);
    assert.equal(picks.find((p) => p.method === 'prm-weighted')!.unjudged, 3);
  });
});

describe('what each pick says, ties and all', () => {
  const pickOf = (samples: Sample[], method: string, ofJudges: JudgeInfo[] = judges) =>
    rerank(samples, ofJudges, undefined, tau).find((pick) => pick.method === method)!;

  test('PRM best-of-N: a tie only when two share the best score, and the lower index wins it', () => {
    const later = pickOf(
      [sample(0, '1', -1, 0.5), sample(1, '2', -1, 0.5), sample(2, '3', -1, 0.9)],
      'prm-best-of-n',
    );
    assert.deepEqual([later.sample, later.tie], [2, false], 'an earlier tie below the best is no tie');
    const shared = pickOf(
      [sample(0, '1', -1, 0.9), sample(1, '2', -1, 0.5), sample(2, '3', -1, 0.9)],
      'prm-best-of-n',
    );
    assert.deepEqual([shared.sample, shared.tie], [0, true]);
    assert.equal(shared.rule, 'highest solution score; ties go to the lowest sample index');
  });

  test('a judged sample with no solution score (its last step unscored, by "last") is not picked', () => {
    const unscored = {
      ...sample(0, '1', -1, 0.99),
      judgements: { prm: { stepScores: [0.99, null], firstError: -1, solutionScore: null } },
    };
    const pick = pickOf([unscored, sample(1, '2', -1, 0.4)], 'prm-best-of-n');
    assert.deepEqual([pick.sample, pick.answer], [1, '2']);
    const weighted = pickOf([unscored, sample(1, '2', -1, 0.4)], 'prm-weighted');
    assert.equal(weighted.answer, '2');
  });

  test('majority: a unique winner is no tie; the rules read as shown in the panel', () => {
    const samples = [sample(0, '7', -1, 0.2), sample(1, '7', -1, 0.3), sample(2, '9', 0, 0.9)];
    const picks = Object.fromEntries(
      rerank(samples, judges, undefined, tau).map((pick) => [pick.method, pick]),
    );
    assert.deepEqual([picks.majority!.answer, picks.majority!.tie], ['7', false]);
    assert.equal(
      picks.majority!.rule,
      'majority vote; ties go to the answer that appeared first (lowest sample index)',
    );
    assert.equal(
      picks['prm-weighted']!.rule,
      'vote weighted by solution score; ties go to the answer that appeared first (lowest sample index)',
    );
    assert.equal(
      picks['self-prm']!.rule,
      'majority vote among the samples the model judged error-free; ties go to the answer that appeared first (lowest sample index)',
    );
    const split = rerank([sample(0, '7', -1, 0.2), sample(1, '9', -1, 0.3)], judges, undefined, tau)[0]!;
    assert.deepEqual([split.answer, split.tie], ['7', true]);
  });

  test('no Self-PRM pick without a self judge; no PRM picks without a PRM', () => {
    const prmOnly = rerank([sample(0, '7', undefined, 0.2)], [judges[1]!], undefined, tau).map(
      (pick) => pick.method,
    );
    assert.deepEqual(prmOnly, ['majority', 'prm-best-of-n', 'prm-weighted']);
    const selfOnly = rerank([sample(0, '7', -1, 0.2)], [judges[0]!], undefined, tau).map(
      (pick) => pick.method,
    );
    assert.deepEqual(selfOnly, ['majority', 'self-prm']);
  });

  test('an empty ending scores nothing by "last"', () => {
    assert.equal(aggregateScores([], 'last'), null);
  });
});
