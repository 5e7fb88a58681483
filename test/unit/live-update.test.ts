/**
 * One live-run update rule for the host's session and every panel (src/core/live.ts): samples in
 * index order whatever order they arrive in, a resent sample replacing the old one, judgements on
 * the sample they name, the finish carrying status and picks; deltas of another run ignored; the
 * run passed in never changed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLiveUpdate, type LiveUpdate } from '../../src/core/live.js';
import type { Judgement, Run, Sample } from '../../src/core/schemas.js';
import type { HostMessage } from '../../src/protocol.js';
import { smallRun } from '../fixtures/smallRun.js';

function skeleton(): Run {
  return { ...smallRun(), samples: [], rerank: [], status: 'running' };
}

function sample(index: number, answer = '42'): Sample {
  return { index, text: answer, steps: [answer], answer, judgements: {} };
}

const judgement: Judgement = { stepScores: [0.25], firstError: 0, solutionScore: 0.25 };

describe('applyLiveUpdate', () => {
  test('samples arriving out of order are kept in index order; the same index again replaces it', () => {
    let run = skeleton();
    for (const index of [2, 0, 1])
      run = applyLiveUpdate(run, { type: 'run/sample', runId: 'run-a', sample: sample(index) });
    assert.deepEqual(
      run.samples.map((s) => s.index),
      [0, 1, 2],
    );
    run = applyLiveUpdate(run, { type: 'run/sample', runId: 'run-a', sample: sample(1, '48') });
    assert.deepEqual(
      run.samples.map((s) => [s.index, s.answer]),
      [
        [0, '42'],
        [1, '48'],
        [2, '42'],
      ],
    );
  });

  test('a judgement lands on the sample it names, beside the judgements already there', () => {
    let run = skeleton();
    run = applyLiveUpdate(run, { type: 'run/sample', runId: 'run-a', sample: sample(0) });
    run = applyLiveUpdate(run, { type: 'run/sample', runId: 'run-a', sample: sample(1) });
    const self: Judgement = { stepScores: [1], firstError: -1 };
    run = applyLiveUpdate(run, {
      type: 'run/judgement',
      runId: 'run-a',
      sample: 1,
      judge: 'self',
      judgement: self,
    });
    run = applyLiveUpdate(run, {
      type: 'run/judgement',
      runId: 'run-a',
      sample: 1,
      judge: 'qwen-prm',
      judgement,
    });
    assert.deepEqual(run.samples[0]!.judgements, {});
    assert.deepEqual(run.samples[1]!.judgements, { self, 'qwen-prm': judgement });
  });

  test('progress sets the status; the finish sets status, picks and the time it finished', () => {
    let run = skeleton();
    run = applyLiveUpdate(run, { type: 'run/progress', runId: 'run-a', status: 'cancelled' });
    assert.equal(run.status, 'cancelled');
    const rerank = [
      { method: 'majority' as const, sample: 0, answer: '42', correct: true, rule: 'most votes' },
    ];
    run = applyLiveUpdate(run, {
      type: 'run/finished',
      runId: 'run-a',
      status: 'complete',
      finishedAt: '2026-11-28T10:05:00.000Z',
      rerank,
    });
    assert.equal(run.status, 'complete');
    assert.equal(run.finishedAt, '2026-11-28T10:05:00.000Z');
    assert.deepEqual(run.rerank, rerank);
  });

  test('what does not apply returns the very same run: another run, a judgement of a sample not there', () => {
    const run = skeleton();
    assert.equal(applyLiveUpdate(run, { type: 'run/sample', runId: 'run-b', sample: sample(0) }), run);
    assert.equal(
      applyLiveUpdate(run, { type: 'run/judgement', runId: 'run-a', sample: 7, judge: 'self', judgement }),
      run,
    );
    assert.equal(
      applyLiveUpdate(run, { type: 'run/finished', runId: 'run-b', status: 'complete', rerank: [] }),
      run,
    );
  });

  test('the run passed in is never changed: an earlier copy still shows what it showed', () => {
    let run = skeleton();
    run = applyLiveUpdate(run, { type: 'run/sample', runId: 'run-a', sample: sample(0) });
    const before = structuredClone(run);
    const frozen = run;
    applyLiveUpdate(frozen, { type: 'run/sample', runId: 'run-a', sample: sample(1) });
    applyLiveUpdate(frozen, { type: 'run/judgement', runId: 'run-a', sample: 0, judge: 'self', judgement });
    applyLiveUpdate(frozen, { type: 'run/finished', runId: 'run-a', status: 'complete', rerank: [] });
    assert.deepEqual(frozen, before);
  });

  test("the host's run/* messages are live updates as they are (the panel applies them unchanged)", () => {
    const message: Extract<HostMessage, { type: 'run/progress' }> = {
      type: 'run/progress',
      runId: 'run-a',
      status: 'running',
      progress: { sampled: 1, sampleTotal: 3, judged: 0, judgeTotal: 6 },
    };
    const update: LiveUpdate = message;
    assert.equal(applyLiveUpdate(skeleton(), update).status, 'running');
  });
});
