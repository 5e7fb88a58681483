import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cohensKappa, firstErrorFromScores, precision, processBenchF1 } from '../../src/core/metrics.js';

describe('ProcessBench F1', () => {
  test('exact first-error match on erroneous samples, −1 on correct ones, harmonic mean', () => {
    const score = processBenchF1([
      { label: 2, prediction: 2 }, // found
      { label: 1, prediction: 3 }, // late: wrong
      { label: 0, prediction: -1 }, // missed
      { label: 4, prediction: 4 }, // found
      { label: -1, prediction: -1 }, // right
      { label: -1, prediction: 0 }, // false alarm
    ]);
    assert.equal(score.acc_erroneous, 0.5);
    assert.equal(score.acc_correct, 0.5);
    assert.equal(score.f1, 0.5);
    assert.equal(score.n, 6);
  });

  test('F1 is the harmonic, not arithmetic, mean', () => {
    const score = processBenchF1([
      { label: 1, prediction: 1 },
      { label: -1, prediction: 0 },
      { label: -1, prediction: 0 },
      { label: -1, prediction: -1 },
    ]);
    assert.equal(score.acc_erroneous, 1);
    assert.ok(Math.abs((score.acc_correct ?? 0) - 1 / 3) < 1e-12);
    assert.ok(Math.abs((score.f1 ?? 0) - 0.5) < 1e-12);
  });

  test('a side without samples is null, and so is F1', () => {
    assert.deepEqual(processBenchF1([{ label: -1, prediction: -1 }]), {
      acc_erroneous: null,
      acc_correct: 1,
      f1: null,
      n: 1,
    });
    assert.deepEqual(processBenchF1([]), { acc_erroneous: null, acc_correct: null, f1: null, n: 0 });
  });
});

describe('precision and agreement', () => {
  test('Self-PRM precision: share of "correct" calls that are correct', () => {
    const score = precision([
      { predicted: true, actual: true },
      { predicted: true, actual: false },
      { predicted: true, actual: false },
      { predicted: false, actual: true },
    ]);
    assert.deepEqual(score, { precision: 1 / 3, predictedPositive: 3, truePositive: 1 });
    assert.equal(precision([{ predicted: false, actual: true }]).precision, null);
  });

  test("Cohen's κ matches a hand computation", () => {
    // 10 items: both "ok" 4, both "bad" 3, a ok/b bad 2, a bad/b ok 1 → po 0.7, pe 0.6·0.5 + 0.4·0.5 = 0.5
    const pairs: [string, string][] = [
      ...Array.from({ length: 4 }, () => ['ok', 'ok'] as [string, string]),
      ...Array.from({ length: 3 }, () => ['bad', 'bad'] as [string, string]),
      ...Array.from({ length: 2 }, () => ['ok', 'bad'] as [string, string]),
      ['bad', 'ok'],
    ];
    const score = cohensKappa(pairs);
    assert.ok(Math.abs((score.kappa ?? Number.NaN) - 0.4) < 1e-12);
    assert.equal(score.agreement, 0.7);
  });

  test('κ is 1 for perfect agreement, negative below chance, null when undefined', () => {
    assert.equal(
      cohensKappa([
        [1, 1],
        [0, 0],
      ] as [number, number][]).kappa,
      1,
    );
    // Always disagreeing, with balanced marginals: po 0, pe 0.5 → κ = −1.
    assert.equal(
      cohensKappa([
        [1, 0],
        [0, 1],
      ] as [number, number][]).kappa,
      -1,
    );
    // 3 × (1,0), (0,1), (1,1): po 1/5, pe 4/5·2/5 + 1/5·3/5 = 11/25 → κ = (5/25 − 11/25) / (14/25) = −3/7.
    const below = cohensKappa([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as [number, number][]);
    assert.ok(Math.abs((below.kappa ?? Number.NaN) + 3 / 7) < 1e-12, String(below.kappa));
    assert.equal(below.agreement, 0.2);
    assert.equal(
      cohensKappa([
        [1, 1],
        [1, 1],
      ] as [number, number][]).kappa,
      null,
    );
    assert.equal(cohensKappa([]).kappa, null);
  });

  test('a score judge flags the first step below τ', () => {
    assert.equal(firstErrorFromScores([0.99, 0.18, 0.97, 0.99], 0.5), 1);
    assert.equal(firstErrorFromScores([0.9, null, 0.6], 0.5), -1);
    assert.equal(firstErrorFromScores([0.9, 0.6], 0.7), 1);
  });

  test('a score exactly at τ is not an error; the first one below it is', () => {
    // Critic scores are multiples of 1/k: 0.5 at τ = 0.5 is common.
    assert.equal(firstErrorFromScores([1, 0.5, 0.5], 0.5), -1);
    assert.equal(firstErrorFromScores([1, 0.5, 0.25], 0.5), 2);
    assert.equal(firstErrorFromScores([0.7, 0.7], 0.7), -1);
  });
});
