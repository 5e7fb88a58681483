import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { disagreement } from '../../src/core/disagreement.js';
import { judgeThreshold, requireScoredStep, verdictOf } from '../../src/core/judgements.js';
import type { JudgeInfo, Judgement } from '../../src/core/schemas.js';

const judges: JudgeInfo[] = [
  { id: 'self', kind: 'self-critic', model: 'm' },
  { id: 'qwen-prm', kind: 'vllm-pooling', model: 'p' },
  { id: 'strict', kind: 'rlhflow', model: 'r' },
];
const config = { threshold: 0.7, prms: [{ id: 'qwen-prm' }, { id: 'strict', threshold: 0.9 }] };
const run = { config, judges };

describe('τ per judge', () => {
  test("a PRM's own τ, else the run's; self always takes the run's", () => {
    assert.equal(judgeThreshold(config, 'self'), 0.7);
    assert.equal(judgeThreshold(config, 'qwen-prm'), 0.7);
    assert.equal(judgeThreshold(config, 'strict'), 0.9);
  });

  test("a score judge's first error is its first step below its τ, whatever the file stored", () => {
    // A run file written before τ was honoured stored the first error at 0.5 (−1 here).
    const stored: Judgement = { stepScores: [0.9, 0.6, 0.8], firstError: -1 };
    assert.deepEqual(verdictOf(run, 'qwen-prm', stored), {
      stepScores: [0.9, 0.6, 0.8],
      firstError: 1,
      threshold: 0.7,
    });
    assert.equal(verdictOf(run, 'strict', { stepScores: [0.95, 0.85], firstError: -1 })?.firstError, 1);
  });

  test('a score exactly at τ is not an error', () => {
    const atTau = verdictOf({ config: { threshold: 0.5, prms: [] }, judges }, 'qwen-prm', {
      stepScores: [1, 0.5, 0.5],
      firstError: -1,
    });
    assert.equal(atTau?.firstError, -1);
  });

  test('a critic keeps the index it named: τ does not move it', () => {
    const critic: Judgement = { stepScores: [1, 0.5, 0.5], firstError: 1, verdicts: [-1, -1, 1, 1] };
    assert.equal(verdictOf(run, 'self', critic)?.firstError, 1);
  });

  test('no verdict: absent, failed, or no step scored — never "no error"', () => {
    assert.equal(verdictOf(run, 'qwen-prm', undefined), undefined);
    const failed: Judgement = { stepScores: [null], firstError: null, error: 'HTTP 500' };
    assert.equal(verdictOf(run, 'qwen-prm', failed), undefined);
    // A run file from before the fix: stepwise scored nothing and said −1.
    assert.equal(verdictOf(run, 'self', { stepScores: [null, null], firstError: -1 }), undefined);
    // A critic whose first error is null gave no verdict, even with scores.
    assert.equal(verdictOf(run, 'self', { stepScores: [1, 0.5], firstError: null }), undefined);
  });

  test('a judge the run does not list is read as it named its first error, not re-derived at τ', () => {
    assert.equal(verdictOf(run, 'gone', { stepScores: [0.1, 0.1], firstError: -1 })?.firstError, -1);
  });

  test('a judgement that scored no step becomes an error on that sample; others pass unchanged', () => {
    const empty: Judgement = { stepScores: [null, null], firstError: -1, solutionScore: 0.9 };
    assert.deepEqual(requireScoredStep(empty), {
      stepScores: [null, null],
      firstError: null,
      solutionScore: null,
      error: 'the judge scored no step',
    });
    assert.equal(requireScoredStep(empty, 'no paragraph fitted').error, 'no paragraph fitted');
    const scored: Judgement = { stepScores: [null, 0.4], firstError: 1 };
    assert.equal(requireScoredStep(scored), scored);
    const failed: Judgement = { stepScores: [null], firstError: null, error: 'HTTP 500' };
    assert.equal(requireScoredStep(failed), failed);
  });
});

describe('disagreement at τ', () => {
  const at = (stepScores: (number | null)[], firstError: number, threshold: number) => ({
    stepScores,
    firstError,
    threshold,
  });

  // Step 0 is wrong for both, so both name it first: only the score cut at step 1 can disagree.
  test('ties at τ: a critic at 0.5 and a PRM at 0.5 agree (both "not wrong"); 0.49 disagrees', () => {
    assert.deepEqual(disagreement(at([0.25, 0.5], 0, 0.5), at([0.2, 0.5], 0, 0.5), 2).steps, [false, false]);
    assert.deepEqual(disagreement(at([0.25, 0.5], 0, 0.5), at([0.2, 0.49], 0, 0.5), 2).steps, [false, true]);
  });

  test('each judge is cut at its own τ', () => {
    // Self at τ 0.5 calls 0.6 right; the PRM at τ 0.7 calls 0.65 wrong. One shared τ would agree.
    const result = disagreement(at([0.2, 0.6], 0, 0.5), at([0.1, 0.65], 0, 0.7), 2);
    assert.deepEqual(result.steps, [false, true]);
    assert.equal(result.firstErrorsDiffer, false);
    assert.deepEqual(disagreement(at([0.2, 0.6], 0, 0.7), at([0.1, 0.65], 0, 0.7), 2).steps, [false, false]);
  });
});
