/**
 * The judge-evaluation report on hand-made rows: every figure and the whole Markdown table, worked
 * out by hand from ProcessBench's rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EVALUATION_RULES,
  evaluationMarkdown,
  evaluationReport,
  judgeOutcome,
  type RowResult,
} from '../../src/core/evaluation.js';
import type { JudgeInfo } from '../../src/core/schemas.js';
import { smallRun } from '../fixtures/smallRun.js';

const judges: JudgeInfo[] = [
  { id: 'self', kind: 'self-critic', model: 'Qwen/QwQ-32B' },
  { id: 'prm', kind: 'vllm-pooling', model: 'Qwen/Qwen2.5-Math-PRM-7B' },
];
const config = { ...smallRun().config, threshold: 0.5, prms: [] };

// Subset "a" (where τ is chosen): the PRM's scores find both rows' labels at τ = 0.6 only.
// Subset "b": self fails on one row; the PRM has no scores for it.
const rows: RowResult[] = [
  {
    id: 'a-1',
    subset: 'a',
    label: 1,
    judges: {
      self: { prediction: 1, failed: false },
      prm: { prediction: -1, failed: false, stepScores: [0.9, 0.55] },
    },
  },
  {
    id: 'a-2',
    subset: 'a',
    label: -1,
    judges: {
      // Answered without a prediction: a miss, counted apart from failures.
      self: { prediction: null, failed: false },
      prm: { prediction: -1, failed: false, stepScores: [0.8, 0.7] },
    },
  },
  {
    id: 'b-1',
    subset: 'b',
    label: 0,
    judges: {
      self: { prediction: null, failed: true },
      prm: { prediction: 0, failed: false, stepScores: [0.3, 0.9] },
    },
  },
  { id: 'b-2', subset: 'b', label: -1, judges: { self: { prediction: -1, failed: false } } },
];

test('per judge and subset: accuracies, F1, failures, the average, and a PRM’s best τ on the chosen subset', () => {
  const full = evaluationReport(rows, { protocol: 'steplens', judges, config, tauSubset: 'a' });
  // Step calibration, by hand: the PRM's steps up to each first error — (0.9 right, 0.55 wrong),
  // (0.8, 0.7 right), (0.3 wrong; its 0.9 after the error left out): five steps in five bins.
  const prmSteps = full.judgeEvaluation.prm!.stepCalibration;
  assert.equal(prmSteps.samples, 5);
  assert.ok(Math.abs(prmSteps.ece! - (0.1 + 0.55 + 0.2 + 0.3 + 0.3) / 5) < 1e-12);
  assert.deepEqual(
    prmSteps.bins.filter((bin) => bin.count > 0).map((bin) => [bin.from, bin.accuracy]),
    [
      [0.3, 0],
      [0.5, 0],
      [0.7, 1],
      [0.8, 1],
      [0.9, 1],
    ],
  );
  // Self's outcomes here carry no step scores: nothing to calibrate.
  assert.equal(full.judgeEvaluation.self!.stepCalibration.samples, 0);
  const report = structuredClone(full);
  for (const judge of Object.values(report.judgeEvaluation))
    delete (judge as Partial<typeof judge>).stepCalibration;
  assert.deepEqual(report, {
    protocol: 'steplens',
    rules: EVALUATION_RULES,
    rows: 4,
    subsets: { a: 2, b: 2 },
    judgeEvaluation: {
      self: {
        model: 'Qwen/QwQ-32B',
        kind: 'self-critic',
        threshold: 0.5,
        subsets: {
          a: { n: 2, errorAccuracy: 1, correctAccuracy: 0, f1: 0, failed: 0, noPrediction: 1 },
          b: { n: 2, errorAccuracy: 0, correctAccuracy: 1, f1: 0, failed: 1, noPrediction: 0 },
        },
        average: { f1: 0 },
      },
      prm: {
        model: 'Qwen/Qwen2.5-Math-PRM-7B',
        kind: 'vllm-pooling',
        threshold: 0.5,
        subsets: {
          a: { n: 2, errorAccuracy: 0, correctAccuracy: 1, f1: 0, failed: 0, noPrediction: 0 },
          // b-2 has no PRM outcome at all: a failed miss.
          b: { n: 2, errorAccuracy: 1, correctAccuracy: 0, f1: 0, failed: 1, noPrediction: 0 },
        },
        average: { f1: 0 },
        // τ = 0.7 is the smallest with F1 1 on "a": a-1's 0.55 is below it, a-2's 0.8 and 0.7 are not
        // (at 0.55 a-1 is missed). On "b" at 0.7: b-1 → step 0 (a hit), b-2 has no scores (a miss).
        bestThreshold: { subset: 'a', threshold: 0.7, f1: { a: 1, b: 0 } },
      },
    },
  });
  // Without the chosen subset among the rows, no τ is chosen.
  const noTau = evaluationReport(rows, { protocol: 'steplens', judges, config, tauSubset: 'gsm8k' });
  assert.equal(noTau.judgeEvaluation.prm!.bestThreshold, undefined);
});

test('the Markdown table as the papers print it, then accuracies, failures, τ and the rules', () => {
  const two = evaluationReport(
    rows.slice(0, 2).concat([
      { ...rows[0]!, id: 'b-9', subset: 'b' },
      { ...rows[1]!, id: 'b-8', subset: 'b' },
    ]),
    {
      protocol: 'steplens',
      judges,
      config,
      tauSubset: 'a',
    },
  );
  const cell = (text: string) => `‹${text}›`;
  assert.equal(
    evaluationMarkdown(two, cell),
    [
      '# StepLens judge evaluation (ProcessBench F1)',
      '',
      '4 row(s) in 2 subset(s): ‹a› 2, ‹b› 2. Protocol: ‹steplens›.',
      '',
      '| judge | model | ‹a› | ‹b› | average |',
      '|---|---|---|---|---|',
      '| ‹self› | ‹Qwen/QwQ-32B› | 0.0 | 0.0 | 0.0 |',
      '| ‹prm› | ‹Qwen/Qwen2.5-Math-PRM-7B› | 0.0 | 0.0 | 0.0 |',
      '',
      '## Error and correct accuracy, failures',
      '',
      '| judge | subset | n | error accuracy | correct accuracy | F1 | failed | no prediction |',
      '|---|---|---|---|---|---|---|---|',
      '| ‹self› | ‹a› | 2 | 100.0 | 0.0 | 0.0 | 0 | 1 |',
      '| ‹self› | ‹b› | 2 | 100.0 | 0.0 | 0.0 | 0 | 1 |',
      '| ‹prm› | ‹a› | 2 | 0.0 | 100.0 | 0.0 | 0 | 0 |',
      '| ‹prm› | ‹b› | 2 | 0.0 | 100.0 | 0.0 | 0 | 0 |',
      '',
      '## τ chosen on one subset (ProcessBench picks it on GSM8K)',
      '',
      '| judge | run τ | best τ | chosen on | ‹a› | ‹b› |',
      '|---|---|---|---|---|---|',
      '| ‹prm› | 0.5 | 0.7 | ‹a› | 100.0 | 100.0 |',
      '',
      '## Step calibration against the labels',
      '',
      '| judge | steps | ECE |',
      '|---|---|---|',
      '| ‹self› | 0 | — |',
      // Twice (0.9 right, 0.55 wrong, 0.8 and 0.7 right): ECE (2·0.1 + 2·0.55 + 2·0.2 + 2·0.3) / 8.
      '| ‹prm› | 8 | 0.287 |',
      '',
      'Rules:',
      '',
      ...EVALUATION_RULES.map((rule) => `- ${rule}`),
      '',
    ].join('\n'),
  );
  const empty = evaluationReport([], { protocol: 'steplens', judges, config });
  assert.match(evaluationMarkdown(empty, String), /\| self \| Qwen\/QwQ-32B \| {2}\| — \|/);
});

test('a judge’s outcome on a row: its verdict at τ, a failure as a miss, its step scores', () => {
  const run = smallRun();
  run.judges = [...run.judges];
  const [self, prm] = run.judges as [JudgeInfo, JudgeInfo];
  // Sample 0: self says no error (−1), the PRM scores 0.9 and 0.95.
  assert.deepEqual(judgeOutcome(run, self, 0.5), {
    prediction: -1,
    failed: false,
    stepScores: [...run.samples[0]!.judgements.self!.stepScores],
  });
  assert.deepEqual(judgeOutcome(run, prm, 0.5), { prediction: -1, failed: false, stepScores: [0.9, 0.95] });
  // τ is the caller's, not the run file's: a rerun at another τ reads the stored scores afresh.
  assert.deepEqual(judgeOutcome(run, prm, 0.92), { prediction: 0, failed: false, stepScores: [0.9, 0.95] });
  // An unscored step before the first wrong one leaves the prediction unknown: a miss, not "no error".
  run.samples[0]!.judgements['qwen-prm'] = { stepScores: [0.9, null], firstError: -1, unscoredFrom: 1 };
  assert.deepEqual(judgeOutcome(run, prm, 0.5), { prediction: null, failed: false, stepScores: [0.9, null] });
  run.samples[0]!.judgements['qwen-prm'] = { stepScores: [null, null], firstError: null, error: 'HTTP 500' };
  assert.deepEqual(judgeOutcome(run, prm, 0.5), { prediction: null, failed: true });
  // The processbench protocol's critics: the prediction as extracted, also an index no step has, is
  // a miss but not a failure; so is no prediction at all.
  run.samples[0]!.judgements.self = {
    stepScores: [null, null],
    firstError: null,
    prediction: 7,
    error: 'the prediction 7 names no step',
  };
  assert.deepEqual(judgeOutcome(run, self, 0.5), { prediction: 7, failed: false });
  run.samples[0]!.judgements.self = { stepScores: [1, 0.5], firstError: 1, prediction: 1 };
  assert.deepEqual(judgeOutcome(run, self, 0.5), { prediction: 1, failed: false, stepScores: [1, 0.5] });
  run.samples[0]!.judgements.self = {
    stepScores: [null, null],
    firstError: null,
    prediction: null,
    error: 'x',
  };
  assert.deepEqual(judgeOutcome(run, self, 0.5), { prediction: null, failed: false });
  delete run.samples[0]!.judgements.self;
  assert.deepEqual(judgeOutcome(run, self, 0.5), { prediction: null, failed: true });
});
