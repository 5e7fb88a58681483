/**
 * Self-PRM precision, calibration and agreement from a dataset index (src/core/judgeTrust.ts),
 * on constructed problems whose figures are worked out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatasetProblem } from '../../src/core/dataset.js';
import {
  calibration,
  judgeAgreement,
  judgePrecision,
  solutionCalibration,
} from '../../src/core/judgeTrust.js';

/** Samples as [right, self first error (null: no verdict), self score, prm first error]. */
type Spec = [boolean, number | null, number, number];
function problem(
  id: string,
  specs: Spec[],
  options: { failed?: number; reference?: string | null } = {},
): DatasetProblem {
  const samples: DatasetProblem['samples'] = specs.map(([right, self, score, prm], index) => ({
    index,
    answer: right ? '1' : '2',
    // Without a reference, correctness is unknown.
    ...(options.reference === null ? {} : { correct: right }),
    steps: 3,
    judges: {
      self: self === null ? { score: null, firstError: null, failed: true } : { score, firstError: self },
      prm: { score: prm === -1 ? 0.9 : 0.1, firstError: prm },
    },
  }));
  for (let i = 0; i < (options.failed ?? 0); i++)
    samples.push({ index: specs.length + i, answer: null, failed: true, steps: 0, judges: {} });
  return {
    id,
    run: `runs/${id}.json`,
    reference: options.reference === undefined ? '1' : options.reference,
    samples,
    usage: { sampling: { promptTokens: 0, completionTokens: 0 }, judges: {} },
  };
}

// hard: 1 right of 5 (pass@1 0.2); self calls 4 correct (the right one among them), one unjudged.
const hard = problem(
  'hard',
  [
    [true, -1, 0.9, -1],
    [false, -1, 0.8, 1],
    [false, -1, 0.7, 0],
    [false, -1, 0.95, -1],
    [false, null, 0, 2],
  ],
  { failed: 2 },
);
// easy: 3 of 4 right; self calls the 3 right ones correct and flags the wrong one.
const easy = problem('easy', [
  [true, -1, 0.9, -1],
  [true, -1, 0.9, -1],
  [true, -1, 0.9, 1],
  [false, 2, 0.2, -1],
]);
const noReference = problem('no-ref', [[false, -1, 0.5, -1]], { reference: null });
const index = { problems: [hard, easy, noReference] };

test('precision on hard problems, the paper’s Table 5 shape; failed and unjudged samples counted apart', () => {
  const self = judgePrecision(index, 'self');
  assert.deepEqual(self.problems, [
    { problemId: 'hard', n: 5, correctOfN: 1, sPrm: 4, sTp: 1, precision: 0.25, unjudged: 1 },
  ]);
  assert.deepEqual(self.overall, { sPrm: 4, sTp: 1, precision: 0.25, unjudged: 1 });
  // Fifths of pass@1: hard (0.2) in the first, easy (0.75) in the fourth; no-ref nowhere.
  assert.deepEqual(
    self.buckets.map((bucket) => [bucket.label, bucket.problems, bucket.sPrm, bucket.sTp]),
    [
      ['[0, 0.2]', 1, 4, 1],
      ['(0.2, 0.4]', 0, 0, 0],
      ['(0.4, 0.6]', 0, 0, 0],
      ['(0.6, 0.8]', 1, 3, 3],
      ['(0.8, 1]', 0, 0, 0],
    ],
  );
  // The PRM at its τ: on hard it calls samples 0 and 3 correct, one right.
  assert.deepEqual(judgePrecision(index, 'prm').overall, { sPrm: 2, sTp: 1, precision: 0.5, unjudged: 0 });
  // A stricter difficulty leaves no hard problem: no precision, never a zero.
  assert.deepEqual(judgePrecision(index, 'self', 0.1).overall, {
    sPrm: 0,
    sTp: 0,
    precision: null,
    unjudged: 0,
  });
});

test('reliability bins and ECE', () => {
  const result = calibration([
    { score: 0.95, right: true },
    { score: 0.9, right: false },
    { score: 1, right: true },
    { score: 0.15, right: false },
  ]);
  assert.equal(result.samples, 4);
  const top = result.bins[9]!;
  assert.deepEqual([top.count, top.accuracy], [3, 2 / 3]);
  assert.ok(Math.abs(top.meanScore! - 0.95) < 1e-12);
  // ECE = 3/4·|2/3 − 0.95| + 1/4·|0 − 0.15|.
  assert.ok(Math.abs(result.ece! - ((3 / 4) * (0.95 - 2 / 3) + (1 / 4) * 0.15)) < 1e-12);
  assert.equal(calibration([]).ece, null);
  // Over the index: the self scores of the 8 judged samples with a known correctness (no-ref has none).
  assert.equal(solutionCalibration(index, 'self').samples, 8);
});

test('agreement: κ of the "correct" calls and where first errors fall', () => {
  const agreement = judgeAgreement(index, 'self', 'prm');
  // Samples both judged: hard 0–3, easy 0–3 (hard 4 has no self verdict; no-ref has no correctness but counts).
  assert.equal(agreement.samples, 9);
  assert.deepEqual(agreement.firstError, {
    same: 5,
    aEarlier: 0,
    aLater: 0,
    onlyAFindsError: 1,
    onlyBFindsError: 3,
  });
  // Calls (self, prm): hard (T,T) (T,F) (T,F) (T,T); easy (T,T) (T,T) (T,F) (F,T); no-ref (T,T).
  // Observed 5/9; self says T 8/9, prm 6/9: chance 8/9·6/9 + 1/9·3/9 = 51/81.
  const expected = (5 / 9 - 51 / 81) / (1 - 51 / 81);
  assert.ok(Math.abs(agreement.kappa! - expected) < 1e-12);
});
