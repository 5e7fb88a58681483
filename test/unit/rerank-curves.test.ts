/**
 * Reranking accuracy against k (src/core/rerankCurves.ts), against values worked out by hand on
 * tiny problems and against full enumeration where the estimate samples subsets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DatasetProblem } from '../../src/core/dataset.js';
import {
  bestOfK,
  kValues,
  majority,
  passAtK,
  prepareProblem,
  rerankingCurves,
  selfPrm,
  selfPrmBest,
  subsetsFor,
  weightedVote,
} from '../../src/core/rerankCurves.js';

interface SampleSpec {
  answer: string | null;
  right?: boolean;
  failed?: boolean;
  /** Self: error-free (−1) or an error at step 0; null: no verdict. */
  selfFirstError?: number | null;
  selfScore?: number;
  prm?: number | null;
}

function problem(id: string, specs: SampleSpec[], reference: string | null = '1'): DatasetProblem {
  return {
    id,
    run: `runs/${id}.json`,
    reference,
    usage: { sampling: { promptTokens: 0, completionTokens: 0 }, judges: {} },
    samples: specs.map((spec, index) => ({
      index,
      answer: spec.failed ? null : spec.answer,
      ...(spec.failed ? { failed: true as const } : { correct: spec.right === true }),
      steps: 2,
      judges: (spec.failed
        ? {}
        : {
            self:
              spec.selfFirstError === null
                ? { score: null, firstError: null, failed: true as const }
                : {
                    score: spec.selfScore ?? (spec.selfFirstError === -1 ? 1 : 0),
                    firstError: spec.selfFirstError ?? -1,
                  },
            prm:
              spec.prm === null || spec.prm === undefined
                ? { score: null, firstError: null, failed: true as const }
                : {
                    score: spec.prm,
                    firstError: spec.prm < 0.5 ? 0 : -1,
                    byAggregation: {
                      min: spec.prm,
                      product: spec.prm / 2,
                      last: 1 - spec.prm,
                      mean: spec.prm,
                    },
                  },
          }) as DatasetProblem['samples'][number]['judges'],
    })),
  };
}
const JUDGES = ['self', 'prm'];

describe('pass@k', () => {
  test('the unbiased estimator, exactly', () => {
    assert.equal(passAtK(4, 1, 2), 1 - 3 / 6);
    assert.ok(Math.abs(passAtK(5, 2, 2) - (1 - 3 / 10)) < 1e-12);
    assert.ok(Math.abs(passAtK(64, 1, 1) - 1 / 64) < 1e-12);
    assert.equal(passAtK(8, 0, 4), 0);
    // Fewer wrong samples than k: every subset holds a right one.
    assert.equal(passAtK(5, 3, 3), 1);
  });

  test('k values double up to k_max, which is always included', () => {
    assert.deepEqual(kValues(64), [1, 2, 4, 8, 16, 32, 64]);
    assert.deepEqual(kValues(6), [1, 2, 4, 6]);
    assert.deepEqual(kValues(1), [1]);
  });
});

describe('rerankers on one subset', () => {
  // A wrong, B right twice, C wrong: a 2–2 tie between A and B goes to A, seen first.
  const tiny = prepareProblem(
    problem('tiny', [
      { answer: 'A', selfFirstError: 0, prm: 0.9 },
      { answer: 'B', right: true, selfFirstError: -1, prm: 0.2 },
      { answer: 'B', right: true, selfFirstError: 0, prm: 0.9 },
      { answer: 'C', selfFirstError: -1, prm: 0.95 },
    ]),
    JUDGES,
  )!;

  test('majority: ties to the answer seen first in sample order', () => {
    assert.equal(majority(tiny, [0, 1]), false);
    assert.equal(majority(tiny, [1, 3]), true);
    assert.equal(majority(tiny, [0, 1, 2, 3]), true);
  });

  test('PRM best-of-k: the highest score, ties to the lowest index; each aggregation apart', () => {
    assert.equal(bestOfK('prm', 'min')(tiny, [0, 2]), false);
    assert.equal(bestOfK('prm', 'min')(tiny, [1, 2]), true);
    // "last" here is 1 − score: sample 1 (0.8) beats sample 0 (0.1).
    assert.equal(bestOfK('prm', 'last')(tiny, [0, 1]), true);
  });

  test('weighted vote: scores add up per answer', () => {
    // A 0.9 against B 0.2 + 0.9 = 1.1.
    assert.equal(weightedVote('prm')(tiny, [0, 1, 2]), true);
    assert.equal(weightedVote('prm')(tiny, [0, 1]), false);
  });

  test('Self-PRM: majority among the samples called error-free, else plain majority', () => {
    // Called error-free: 1 (B) and 3 (C): B first.
    assert.equal(selfPrm('self')(tiny, [0, 1, 2, 3]), true);
    // Only C is called error-free among 2 and 3.
    assert.equal(selfPrm('self')(tiny, [2, 3]), false);
    // None called error-free among 0 and 2: majority, A first.
    assert.equal(selfPrm('self')(tiny, [0, 2]), false);
  });

  test('Self-PRM best: the highest self score, several sharing it vote', () => {
    const scored = prepareProblem(
      problem('scored', [
        { answer: 'A', selfScore: 0.7, selfFirstError: -1 },
        { answer: 'B', right: true, selfScore: 0.9, selfFirstError: -1 },
        { answer: 'B', right: true, selfScore: 0.4, selfFirstError: 0 },
      ]),
      JUDGES,
    )!;
    assert.equal(selfPrmBest('self')(scored, [0, 1, 2]), true);
    assert.equal(selfPrmBest('self')(scored, [0, 2]), false);
  });
});

describe('curves over a dataset', () => {
  test('a tiny problem enumerated over all subsets: exact, no sampling error', () => {
    const curves = rerankingCurves({
      samplesPerProblem: 4,
      judges: [
        { id: 'self', kind: 'self-critic', model: 'm' },
        { id: 'prm', kind: 'vllm-pooling', model: 'p' },
      ],
      problems: [
        problem('tiny', [
          { answer: 'A', selfFirstError: 0, prm: 0.9 },
          { answer: 'B', right: true, selfFirstError: -1, prm: 0.2 },
          { answer: 'B', right: true, selfFirstError: 0, prm: 0.9 },
          { answer: 'C', selfFirstError: -1, prm: 0.95 },
        ]),
      ],
    });
    assert.deepEqual(curves.k, [1, 2, 4]);
    // k = 2, all 6 pairs: {0,1} A, {0,2} A, {0,3} A, {1,2} B, {1,3} B, {2,3} B → 3 of 6.
    assert.deepEqual(curves.methods.majority!.mean, [0.5, 0.5, 1]);
    assert.deepEqual(curves.methods.majority!.monteCarloStderr, [0, 0, 0]);
    const pass = curves.methods['pass@k']!.mean;
    assert.deepEqual(
      [pass[0], Math.round(pass[1]! * 1e12) / 1e12, pass[2]],
      [0.5, Math.round((5 / 6) * 1e12) / 1e12, 1],
    );
    assert.deepEqual(curves.methods.oracle!.mean, [0.5, 5 / 6, 1]);
    // Best-of-k by min score at k = 4: sample 3 (0.95, wrong).
    assert.equal(curves.methods['prm-best-of-n:prm']!.mean[2], 0);
  });

  test('sampled subsets estimate the exact value within a few standard errors; seeded, order-free', () => {
    const answers = ['A', 'B', 'A', 'C', 'B', 'B', 'A', 'D', 'B', 'C', 'A', 'B'];
    const big = problem(
      'big',
      answers.map((answer) => ({ answer, right: answer === 'B', prm: 0.5 })),
    );
    const prepared = prepareProblem(big, JUDGES)!;
    // C(12, 4) = 495 subsets: more than R = 100, so they are sampled.
    assert.equal(subsetsFor(prepared, 4, 100, 0).length, 100);
    let hits = 0;
    const all = subsetsFor(prepared, 4, 1000, 0);
    assert.equal(all.length, 495);
    for (const subset of all) if (majority(prepared, subset)) hits += 1;
    const exact = hits / 495;
    const judges = [{ id: 'prm', kind: 'vllm-pooling' as const, model: 'p' }];
    const curves = rerankingCurves(
      { samplesPerProblem: 12, judges, problems: [big] },
      { subsets: 100, seed: 7 },
    );
    const at4 = curves.k.indexOf(4);
    const { mean, monteCarloStderr, stderr } = curves.methods.majority!;
    assert.ok(monteCarloStderr[at4]! > 0);
    assert.ok(
      Math.abs(mean[at4]! - exact) < 4 * monteCarloStderr[at4]!,
      `${mean[at4]} vs ${exact} ± ${monteCarloStderr[at4]}`,
    );
    // One problem: no spread over problems to speak of.
    assert.equal(stderr[at4], 0);
    // The same seed gives the same figures, whatever else is in the file.
    const other = problem('other', [{ answer: 'B', right: true, prm: 0.5 }]);
    const again = rerankingCurves(
      { samplesPerProblem: 12, judges, problems: [other, big] },
      { subsets: 100, seed: 7 },
    );
    const alone = rerankingCurves(
      { samplesPerProblem: 12, judges, problems: [big] },
      { subsets: 100, seed: 7 },
    );
    assert.deepEqual(alone, curves);
    assert.notDeepEqual(again.methods.majority!.mean, curves.methods.majority!.mean);
  });

  test('failed samples never vote; problems without a reference or a usable sample are counted out', () => {
    const curves = rerankingCurves({
      samplesPerProblem: 3,
      judges: [{ id: 'self', kind: 'self-critic', model: 'm' }],
      problems: [
        problem('p', [{ answer: 'A', failed: true }, { answer: 'B', right: true }, { answer: 'A' }]),
        problem('no-ref', [{ answer: 'A' }], null),
        problem('all-failed', [{ answer: null, failed: true }]),
      ],
    });
    assert.deepEqual([curves.problems, curves.excluded], [1, { noReference: 1, noUsableSample: 1 }]);
    // n = 2 usable (B right, A wrong): at k = 3 both vote, a 1–1 tie goes to B, seen first.
    assert.deepEqual(curves.methods.majority!.mean, [0.5, 1, 1]);
  });
});

describe('what the figures stand on', () => {
  test('a judge with no verdict in a subset abstains: its methods fall back to plain majority', () => {
    // Four right samples the PRM failed on, one wrong it scored: at k = 4 the subsets without the
    // wrong one have no PRM verdict at all.
    const failing = problem('failing', [
      { answer: 'B', right: true, prm: null },
      { answer: 'B', right: true, prm: null },
      { answer: 'B', right: true, prm: null },
      { answer: 'B', right: true, prm: null },
    ]);
    const curves = rerankingCurves({
      samplesPerProblem: 4,
      judges: [{ id: 'prm', kind: 'vllm-pooling', model: 'p' }],
      problems: [failing],
    });
    assert.deepEqual(curves.methods['prm-best-of-n:prm']!.mean, curves.methods.majority!.mean);
    assert.deepEqual(curves.methods['prm-weighted:prm']!.mean, [1, 1, 1]);
  });

  test('the error bars are the standard error over problems; the subset sampling error is apart', () => {
    const curves = rerankingCurves({
      samplesPerProblem: 2,
      judges: [],
      problems: [
        problem('right', [
          { answer: 'B', right: true },
          { answer: 'B', right: true },
        ]),
        problem('wrong', [{ answer: 'A' }, { answer: 'A' }]),
      ],
    });
    // Per-problem accuracies 1 and 0: mean 0.5, sd √0.5, standard error √0.5 / √2 = 0.5.
    assert.deepEqual(curves.methods.majority!.mean, [0.5, 0.5]);
    assert.deepEqual(
      curves.methods.majority!.stderr.map((value) => Math.round(value * 1e12) / 1e12),
      [0.5, 0.5],
    );
    assert.deepEqual(curves.methods.majority!.monteCarloStderr, [0, 0]);
  });
});
