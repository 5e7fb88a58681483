/**
 * Several dataset folders compared (src/core/reportCompare.ts) on constructed problems whose figures
 * are worked out by hand: shared problems, accuracy at k_max and differences, disagreements.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatasetIndex } from '../../src/core/dataset.js';
import { accuracyAtKMax, compareDatasets, folderLabels } from '../../src/core/reportCompare.js';
import { prepareProblem } from '../../src/core/rerankCurves.js';
import { datasetProblem, reportIndex, type SampleSpec } from '../fixtures/reportDataset.js';

// [right, self first error, self score, prm first error, prm score]
const R = (self = -1): SampleSpec => [true, self, 0.9, -1, 0.9];
const W = (self = -1): SampleSpec => [false, self, 0.8, 1, 0.2];

function index(problems: DatasetIndex['problems'], withPrm = true): DatasetIndex {
  const base = reportIndex({ problems });
  return withPrm ? base : { ...base, judges: base.judges.filter((judge) => judge.id === 'self') };
}

// A: q1 right/wrong (Self-PRM calls both error-free: a tie, the right answer was seen first), q2
// both wrong, q3 only in A. B (no PRM): q1 both wrong, q2 both right, q4 only in B, q5 without a
// reference (left out everywhere).
const A = index([
  datasetProblem('q1', [R(), W()]),
  datasetProblem('q2', [W(), W(2)]),
  datasetProblem('q3', [R(), R()]),
]);
const B = index(
  [
    datasetProblem('q2', [R(), R(1)]),
    datasetProblem('q1', [W(), W()]),
    datasetProblem('q4', [R(), W()]),
    datasetProblem('q5', [R(), W()], null),
  ],
  false,
);

test('accuracy at k_max: every sample, every method, as shares', () => {
  const prepared = A.problems.map((problem) => prepareProblem(problem, ['self', 'prm'])!);
  const accuracy = accuracyAtKMax(prepared, A.judges);
  // pass@k: q1 and q3 have a right sample (2 of 3); majority: q1 (tie → first seen, right), q3.
  assert.equal(accuracy['pass@k'], 2 / 3);
  assert.equal(accuracy.majority, 2 / 3);
  // PRM best-of-n: the highest score, the right one in q1 and q3; oracle like pass@k.
  assert.equal(accuracy['prm-best-of-n:prm'], 2 / 3);
  assert.equal(accuracy.oracle, 2 / 3);
  assert.deepEqual(accuracyAtKMax([], A.judges)['pass@k'], 0);
});

test('compare: shared problems, accuracy and differences on them, a method one folder lacks', () => {
  const result = compareDatasets([
    { label: 'a', index: A },
    { label: 'b', index: B },
  ]);
  assert.deepEqual(result.folders, ['a', 'b']);
  assert.deepEqual(result.kMax, [8, 8]);
  assert.equal(result.shared, 2);
  assert.deepEqual(result.notShared, [1, 1]);
  const row = (method: string) => result.methods.find((entry) => entry.method === method);
  // On q1, q2: A has a right sample in q1 only, B in q2 only.
  assert.deepEqual(row('pass@k'), { method: 'pass@k', accuracy: [0.5, 0.5], difference: [0, 0] });
  // self-prm: A q1 right (tie, first seen), q2 wrong; B q1 wrong, q2: only sample 0 called
  // error-free, right.
  assert.deepEqual(row('self-prm'), { method: 'self-prm', accuracy: [0.5, 0.5], difference: [0, 0] });
  // B has no PRM judge: its PRM methods are "—".
  assert.deepEqual(row('prm-weighted:prm'), {
    method: 'prm-weighted:prm',
    accuracy: [0.5, null],
    difference: [0, null],
  });
  assert.deepEqual(
    result.methods.map((entry) => entry.method),
    [
      'pass@k',
      'majority',
      'self-prm',
      'self-prm-best',
      'prm-best-of-n:prm',
      'prm-best-of-n:prm:last',
      'prm-best-of-n:prm:product',
      'prm-weighted:prm',
      'oracle',
    ],
  );
});

test('compare: problems by pass@1 spread, then differing Self-PRM picks, then id', () => {
  const result = compareDatasets([
    { label: 'a', index: A },
    { label: 'b', index: B },
  ]);
  assert.deepEqual(result.problems, [
    {
      problemId: 'q2',
      correctOfN: [
        [0, 2],
        [2, 2],
      ],
      pass1: [0, 1],
      selfPick: [false, true],
      spread: 1,
      picksDiffer: true,
    },
    {
      problemId: 'q1',
      correctOfN: [
        [1, 2],
        [0, 2],
      ],
      pass1: [0.5, 0],
      selfPick: [true, false],
      spread: 0.5,
      picksDiffer: true,
    },
  ]);
  // Equal spread: the differing picks first, then by id.
  const same = compareDatasets([
    { label: 'a', index: index([datasetProblem('z', [R(), W()]), datasetProblem('y', [R(), W()])]) },
    {
      label: 'b',
      index: index([datasetProblem('z', [R(0), W()]), datasetProblem('y', [R(), W()])]),
    },
  ]);
  assert.deepEqual(
    same.problems.map((entry) => [entry.problemId, entry.spread, entry.picksDiffer]),
    [
      ['z', 0, true],
      ['y', 0, false],
    ],
  );
  // No Self-PRM in either: picks unknown, never "differ".
  const noSelf = { ...B, judges: [] };
  const unknown = compareDatasets([
    { label: 'a', index: noSelf },
    { label: 'b', index: noSelf },
  ]);
  assert.deepEqual(unknown.problems[0]!.selfPick, [null, null]);
  assert.equal(unknown.problems[0]!.picksDiffer, false);
});

test('folder labels: names, numbered where they repeat', () => {
  assert.deepEqual(folderLabels(['a', 'b', 'a', 'a']), ['a', 'b', 'a (2)', 'a (3)']);
  assert.deepEqual(folderLabels([]), []);
});
