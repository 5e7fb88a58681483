import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AuditChange,
  humanFirstError,
  inverseOf,
  replayAudit,
  restoreChanges,
  stampEvent,
} from '../../src/core/audit.js';
import { disagreement } from '../../src/core/disagreement.js';
import {
  agreementReport,
  csvCell,
  exportFiles,
  prm800kRows,
  processBenchRows,
  reportMarkdown,
  stepsCsv,
} from '../../src/core/export.js';
import { parseAuditLog } from '../../src/io/auditLog.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-28T10:00:00Z');
const ev = (change: AuditChange) => stampEvent(change, at);

describe('audit log replay', () => {
  test('the last event wins; null clears one label; clear clears a step or a sample', () => {
    const labels = replayAudit([
      ev({ type: 'stepRating', sample: 0, step: 1, rating: 1 }),
      ev({ type: 'stepRating', sample: 0, step: 1, rating: -1 }),
      ev({ type: 'stepRating', sample: 0, step: 2, rating: 0 }),
      ev({ type: 'whoWasRight', sample: 0, step: 1, judge: 'qwen-prm', who: 'prm' }),
      ev({ type: 'firstError', sample: 0, step: 1 }),
      ev({ type: 'note', sample: 0, step: 1, text: 'sign error' }),
      ev({ type: 'note', sample: 0, text: 'whole sample is sloppy' }),
      ev({ type: 'stepRating', sample: 0, step: 2, rating: null }),
      ev({ type: 'stepRating', sample: 3, step: 0, rating: 1 }),
      ev({ type: 'clear', sample: 3 }),
    ]);
    assert.deepEqual(labels[0], {
      firstError: 1,
      note: 'whole sample is sloppy',
      steps: { 1: { rating: -1, who: { 'qwen-prm': 'prm' }, note: 'sign error' }, 2: {} },
    });
    assert.deepEqual(labels[3], { steps: {} });
  });

  test('undo: the inverse of a change restores what it overwrote', () => {
    const events = [ev({ type: 'stepRating', sample: 1, step: 0, rating: 1 })];
    const change: AuditChange = { type: 'stepRating', sample: 1, step: 0, rating: -1 };
    const inverse = inverseOf(replayAudit(events), change);
    assert.deepEqual(inverse, { type: 'stepRating', sample: 1, step: 0, rating: 1 });
    const after = replayAudit([...events, ev(change), ev(inverse)]);
    assert.equal(after[1]?.steps[0]?.rating, 1);
    assert.deepEqual(inverseOf({}, { type: 'firstError', sample: 2, step: 3 }), {
      type: 'firstError',
      sample: 2,
      step: null,
    });
    const labels = replayAudit([...events, ev({ type: 'note', sample: 1, step: 0, text: 'x' })]);
    assert.deepEqual(restoreChanges(labels, 1), [
      { type: 'stepRating', sample: 1, step: 0, rating: 1 },
      { type: 'note', sample: 1, step: 0, text: 'x' },
    ]);
  });

  test('a line torn by a crash is skipped and reported; the labels before and after it stay', () => {
    const good = JSON.stringify(ev({ type: 'stepRating', sample: 0, step: 0, rating: 1 }));
    const later = JSON.stringify(ev({ type: 'stepRating', sample: 0, step: 1, rating: -1 }));
    const log = parseAuditLog(`${good}\n{"type":"stepRat\n${later}\n{"type":"stepRating"}\n`);
    assert.equal(log.events.length, 2);
    assert.deepEqual(
      log.skipped.map((s) => s.line),
      [2, 4],
    );
  });
});

describe('disagreement', () => {
  const verdict = (stepScores: (number | null)[], firstError: number) => ({
    stepScores,
    firstError,
    threshold: 0.5,
  });
  test('one judge at or above τ and the other below, or different first errors', () => {
    const result = disagreement(verdict([1, 0.75, 0.75, 0.75], -1), verdict([0.99, 0.12, 0.9, null], 1), 4);
    assert.deepEqual(result.steps, [false, true, false, false]);
    assert.equal(result.count, 1);
    assert.equal(result.firstErrorsDiffer, true);
    const flagsOnly = disagreement(verdict([1, 1, 0.6], 2), verdict([1, 1, 0.9], 1), 3);
    assert.deepEqual(flagsOnly.steps, [false, true, true]);
    // A failed judge has no verdict: it disagrees with nothing.
    assert.equal(disagreement(verdict([1], -1), undefined, 1).count, 0);
  });
});

const labeledRun = smallRun;

const labels = replayAudit([
  ev({ type: 'stepRating', sample: 0, step: 0, rating: 1 }),
  ev({ type: 'stepRating', sample: 0, step: 1, rating: 0 }),
  ev({ type: 'stepRating', sample: 1, step: 0, rating: -1 }),
  ev({ type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' }),
  ev({ type: 'note', sample: 1, step: 0, text: 'multiplication, "wrong"' }),
  ev({ type: 'firstError', sample: 2, step: 0 }),
]);

describe('exports', () => {
  test('a sample cut short by a cancel is no dataset row and counts nowhere in the report', () => {
    const run = labeledRun();
    run.samples[1] = { ...run.samples[1]!, cancelled: true, finishReason: 'cancelled' };
    const runs = [{ run, labels }];
    assert.deepEqual(
      processBenchRows(runs).map((row) => row.id),
      ['run-a/0', 'run-a/2'],
    );
    assert.deepEqual(
      prm800kRows(runs).map((row) => row.steplens.sample),
      [0],
    );
    const report = agreementReport(runs);
    assert.equal(report.samples, 2);
    assert.equal(report.labeledSamples, 2);
  });

  test('the human first error: explicit label, else the first −1, else −1 when all rated, else unknown', () => {
    const run = labeledRun();
    assert.equal(humanFirstError(run.samples[0]!, labels[0]), -1);
    assert.equal(humanFirstError(run.samples[1]!, labels[1]), 0);
    assert.equal(humanFirstError(run.samples[2]!, labels[2]), 0);
    assert.equal(humanFirstError(run.samples[0]!, { steps: { 0: { rating: 1 } } }), undefined);
  });

  test('ProcessBench rows carry the labeled samples with the human first error', () => {
    const rows = processBenchRows([{ run: labeledRun(), labels }]);
    assert.deepEqual(
      rows.map((row) => [row.id, row.label, row.final_answer_correct, row.generator]),
      [
        ['run-a/0', -1, true, 'Qwen/QwQ-32B'],
        ['run-a/1', 0, false, 'Qwen/QwQ-32B'],
        ['run-a/2', 0, false, 'Qwen/QwQ-32B'],
      ],
    );
    assert.deepEqual(rows[0]!.steps, ['6 × 7 = 42', '=SUM(A1) so, "42"']);
  });

  test('PRM800K rows: one rating per step, stopping after a −1', () => {
    const rows = prm800kRows([{ run: labeledRun(), labels }]);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.label.finish_reason, 'solution');
    assert.deepEqual(
      rows[0]!.label.steps.map((s) => s.completions[0]!.rating),
      [1, 0],
    );
    assert.equal(rows[1]!.label.finish_reason, 'found_error');
    assert.equal(rows[1]!.question.ground_truth_answer, '42');
  });

  test('CSV: one row per step, quoted, formula-looking text defused', () => {
    const csv = stepsCsv([{ run: labeledRun(), labels }]);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'run,sample,step,text,self_score,qwen-prm_score,human_rating,who_was_right,note,annotator',
    );
    assert.equal(lines.length, 1 + 6);
    assert.equal(lines[2], `run-a,0,1,"'=SUM(A1) so, ""42""",1,0.95,0,,,unnamed`);
    assert.equal(lines[3], 'run-a,1,0,6 × 7 = 48,1,0.1,-1,prm,"multiplication, ""wrong""",unnamed');
    assert.equal(csvCell('-1'), "'-1");
    assert.equal(csvCell(-1), '-1');
  });

  test('report: ProcessBench F1 per judge, Self-PRM precision, κ, who was right', () => {
    const report = agreementReport([{ run: labeledRun(), labels }]);
    const self = report.judges.find((j) => j.judge === 'self')!;
    const prm = report.judges.find((j) => j.judge === 'qwen-prm')!;
    // Human: -1, 0, 0. Self: -1, -1, 0 → erroneous 1/2, correct 1/1. PRM: -1, 0, 0 → perfect.
    assert.deepEqual(self.processBench, { acc_erroneous: 0.5, acc_correct: 1, f1: 2 / 3, n: 3 });
    assert.deepEqual(prm.processBench, { acc_erroneous: 1, acc_correct: 1, f1: 1, n: 3 });
    assert.deepEqual(report.selfPrecision.againstHumanLabels, {
      precision: 0.5,
      predictedPositive: 2,
      truePositive: 1,
    });
    assert.deepEqual(report.selfPrecision.againstReference, {
      precision: 0.5,
      predictedPositive: 2,
      truePositive: 1,
    });
    assert.equal(report.selfVersusPrm[0]!.n, 6);
    assert.equal(report.selfVersusPrm[0]!.agreement, 4 / 6);
    assert.deepEqual(report.whoWasRight, [{ judge: 'qwen-prm', self: 0, prm: 1, both: 0, neither: 0 }]);
    const files = exportFiles([{ run: labeledRun(), labels }]);
    assert.match(
      files['report.md'],
      /\| self \| Qwen\/QwQ-32B \| 0\.5 \| 3 \| 0 \| 50\.0 % \| 100\.0 % \| 66\.7 % \|/,
    );
    assert.deepEqual(JSON.parse(files['report.json']), JSON.parse(JSON.stringify(report)));
  });
});

describe('the report states and uses each judge’s τ', () => {
  test('a score judge’s first error is read at its τ (0.7 here), also from a file that stored it at 0.5', () => {
    const run = labeledRun();
    run.config.threshold = 0.7;
    // Sample 0: the PRM scored step 0 at 0.6, and a run file from before τ was honoured says −1.
    run.samples[0]!.judgements['qwen-prm'] = { stepScores: [0.6, 0.95], firstError: -1 };
    const labelled = replayAudit([
      ev({ type: 'firstError', sample: 0, step: 0 }),
      ev({ type: 'firstError', sample: 1, step: 0 }),
    ]);
    const files = exportFiles([{ run, labels: labelled }]);
    const report = JSON.parse(files['report.json']) as ReturnType<typeof agreementReport>;
    const prm = report.judges.find((j) => j.judge === 'qwen-prm')!;
    assert.deepEqual(prm.thresholds, [0.7]);
    assert.deepEqual(
      prm.pairs.map((pair) => [pair.run, pair.sample, pair.label, pair.prediction]),
      [
        ['run-a', 0, 0, 0],
        ['run-a', 1, 0, 0],
      ],
    );
    assert.equal(prm.processBench.acc_erroneous, 1);
    assert.deepEqual(report.judges.find((j) => j.judge === 'self')!.thresholds, [0.7]);
    assert.match(files['report.md'], /\| qwen-prm \| Qwen\/Qwen2\.5-Math-PRM-7B \| 0\.7 \| 2 \|/);
    assert.match(files['report.md'], /score equal to τ is not/);
  });

  test('κ cuts each judge at its own τ, ties at τ counting as right', () => {
    const run = labeledRun();
    run.config.prms[0]!.threshold = 0.95;
    // Self: 1, 1 | 1, 1 | 0.25, 0.25 at τ 0.5; PRM: 0.9, 0.95 | 0.1, 0.1 | 0.2, 0.2 at τ 0.95.
    // Right/right only where the PRM scored exactly 0.95 → agreement on 3 of 6 steps.
    const report = agreementReport([{ run, labels }]);
    assert.equal(report.selfVersusPrm[0]!.agreement, 3 / 6);
    assert.deepEqual(report.judges.find((j) => j.judge === 'qwen-prm')!.thresholds, [0.95]);
  });
});

describe('no judgement is left out of the report, and counted', () => {
  test('a self judgement that scored no step is not "called correct", nor an F1 or κ input', () => {
    const run = labeledRun();
    // Sample 1 (wrong answer): stepwise self scored nothing, and a file from before the fix says −1.
    run.judges[0] = { id: 'self', kind: 'self-stepwise', model: 'Qwen/QwQ-32B' };
    run.samples[0]!.judgements.self = { stepScores: [1, 1], firstError: -1 };
    run.samples[1]!.judgements.self = { stepScores: [null, null], firstError: -1 };
    run.samples[2]!.judgements.self = { stepScores: [0.25, 0.25], firstError: 0 };
    const report = agreementReport([{ run, labels }]);
    assert.deepEqual(report.selfPrecision.againstReference, {
      precision: 1,
      predictedPositive: 1,
      truePositive: 1,
    });
    assert.deepEqual(report.selfPrecision.againstHumanLabels, {
      precision: 1,
      predictedPositive: 1,
      truePositive: 1,
    });
    const self = report.judges.find((j) => j.judge === 'self')!;
    assert.equal(self.unjudged, 1);
    assert.equal(self.processBench.n, 2);
    assert.deepEqual(
      self.pairs.map((pair) => pair.sample),
      [0, 2],
    );
    assert.equal(report.selfVersusPrm[0]!.n, 4);
    assert.equal(report.judges.find((j) => j.judge === 'qwen-prm')!.unjudged, 0);
    assert.match(reportMarkdown(report), /\| self \| Qwen\/QwQ-32B \| 0\.5 \| 2 \| 1 \|/);
  });
});
