import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveRunLabels } from '../../src/core/annotators.js';
import { type AuditChange, replayAudit, stampEvent } from '../../src/core/audit.js';
import {
  agreementReport,
  exportedRows,
  exportedRowsNotice,
  exportFiles,
  type LabeledRun,
  prm800kRows,
  processBenchRows,
  reportMarkdown,
} from '../../src/core/export.js';
import { describeLabelConflicts, labelConflicts } from '../../src/core/labelConflicts.js';
import type { Run } from '../../src/core/schemas.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-28T10:00:00Z');
const ev = (change: AuditChange) => stampEvent(change, at);
const rate = (sample: number, step: number, rating: -1 | 0 | 1): AuditChange => ({
  type: 'stepRating',
  sample,
  step,
  rating,
});
const mark = (sample: number, step: number): AuditChange => ({ type: 'firstError', sample, step });

/** One sample's labels as its log replays them. */
const labelsOf = (...changes: AuditChange[]) => replayAudit(changes.map(ev))[0];
const says = (...changes: AuditChange[]) => describeLabelConflicts(labelConflicts(labelsOf(...changes)));

describe('a sample whose first-error mark and step ratings contradict each other', () => {
  test('"no error" with a step rated −1 names that step (the new-user trial)', () => {
    assert.equal(says(rate(0, 4, -1), mark(0, -1)), 'marked no error, but step 4 is rated −1');
    assert.equal(
      says(mark(0, -1), rate(0, 4, -1), rate(0, 1, 1), rate(0, 2, -1)),
      'marked no error, but steps 2 and 4 are rated −1',
    );
  });

  test('an earlier step rated −1 than the marked first error', () => {
    assert.equal(
      says(rate(0, 1, -1), rate(0, 0, -1), rate(0, 3, -1), mark(0, 3)),
      'first error marked at step 3, but earlier steps 0 and 1 are rated −1',
    );
  });

  test('the marked first error itself rated +1, or 0 (PRM800K: 0 "isn\'t incorrect")', () => {
    assert.equal(says(rate(0, 2, 1), mark(0, 2)), 'first error marked at step 2, but that step is rated +1');
    assert.equal(says(rate(0, 2, 0), mark(0, 2)), 'first error marked at step 2, but that step is rated 0');
    assert.equal(
      says(rate(0, 0, -1), rate(0, 2, 1), mark(0, 2)),
      'first error marked at step 2, but earlier step 0 is rated −1, and step 2 itself is rated +1',
    );
  });

  test('consistent labels, half-done labels and later steps say nothing', () => {
    // The mark on the first −1, later steps rated anything (PRM800K stops at the first error).
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 0, 1), rate(0, 1, -1), rate(0, 2, 1), mark(0, 1))), []);
    // Earlier steps rated 0 or +1 before the mark; the marked step not rated yet.
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 0, 0), rate(0, 1, 1), mark(0, 2))), []);
    // No error and no −1; ratings without a mark; nothing at all.
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 0, 1), rate(0, 1, 0), mark(0, -1))), []);
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 0, 1), rate(0, 1, -1))), []);
    assert.deepEqual(labelConflicts(undefined), []);
  });

  test('fixing either label ends the contradiction', () => {
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 1, -1), mark(0, -1), mark(0, 1))), []);
    assert.deepEqual(labelConflicts(labelsOf(rate(0, 1, -1), mark(0, -1), rate(0, 1, 0))), []);
  });
});

/** smallRun (3 samples × 2 steps) with sample 1 contradictory and samples 0 and 2 consistent. */
function labeled(): LabeledRun[] {
  const run: Run = smallRun();
  const events = [
    rate(0, 0, 1),
    rate(0, 1, 1),
    mark(0, -1),
    // Sample 1: "no error", yet step 0 rated −1.
    rate(1, 0, -1),
    mark(1, -1),
    rate(2, 0, -1),
    mark(2, 0),
  ].map((change) => ({ ...ev(change), annotator: 'ana' }));
  const { labels, sources, byAnnotator } = resolveRunLabels(run.samples, events);
  return [{ run, labels, annotation: { sources, byAnnotator } }];
}

describe('exports leave a contradictory sample out, and say so', () => {
  test('neither JSONL file carries it: no ProcessBench label, no PRM800K ratings', () => {
    const runs = labeled();
    assert.deepEqual(
      processBenchRows(runs).map((row) => [row.id, row.label]),
      [
        ['run-a/0', -1],
        ['run-a/2', 0],
      ],
    );
    assert.deepEqual(
      prm800kRows(runs).map((row) => row.steplens.sample),
      [0, 2],
    );
  });

  test('the report counts it, names it, and keeps it out of the figures', () => {
    const report = agreementReport(labeled());
    assert.deepEqual(report.contradictorySamples, [
      { run: 'run-a', sample: 1, conflict: 'marked no error, but step 0 is rated −1' },
    ]);
    assert.equal(report.labeledSamples, 2);
    // Only samples 0 and 2 are F1 inputs; of the two samples Self called error-free (0 and 1), one.
    const self = report.judges.find((judge) => judge.judge === 'self')!;
    assert.deepEqual(
      self.pairs.map((pair) => pair.sample),
      [0, 2],
    );
    assert.equal(report.selfPrecision.againstHumanLabels.predictedPositive, 1);
    const markdown = exportFiles(labeled())['report.md'];
    assert.match(markdown, /\*\*1 sample\(s\) have labels that contradict each other/);
    assert.match(markdown, /\| run-a \| 1 \| marked no error, but step 0 is rated −1 \|/);
  });

  test('an export without contradictions says nothing of them', () => {
    const runs = labeled();
    const only = [{ ...runs[0]!, labels: { 0: runs[0]!.labels[0]!, 2: runs[0]!.labels[2]! } }];
    assert.deepEqual(agreementReport(only).contradictorySamples, []);
    assert.doesNotMatch(exportFiles(only)['report.md'], /contradict/);
  });
});

describe('report.md says which figures leave a contradictory sample out, and those it names keep it', () => {
  test('left out of the JSONL and the figures against the human labels; kept in rated steps, who was right, agreement', () => {
    const run: Run = smallRun();
    // ana and ben label alike, so their label stands; sample 1 is "no error" with step 0 rated −1,
    // and ana says the PRM was right there.
    const labels = [
      rate(0, 0, 1),
      rate(0, 1, 1),
      mark(0, -1),
      rate(1, 0, -1),
      mark(1, -1),
      rate(2, 0, -1),
      mark(2, 0),
    ];
    const events = [
      ...labels.map((change) => ({ ...ev(change), annotator: 'ana' })),
      ...labels.map((change) => ({ ...ev(change), annotator: 'ben' })),
      { ...ev({ type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' }), annotator: 'ana' },
    ];
    const { labels: resolved, sources, byAnnotator } = resolveRunLabels(run.samples, events);
    const report = agreementReport([{ run, labels: resolved, annotation: { sources, byAnnotator } }]);
    assert.equal(report.contradictorySamples.length, 1);
    // Out: the count with a human first-error label (and with it F1 and calibration, tested above).
    assert.equal(report.labeledSamples, 2);
    // Kept: sample 1's rating, its who-was-right label, and both annotators' first errors on it.
    assert.equal(report.ratedSteps, 4);
    assert.deepEqual(report.whoWasRight, [{ judge: 'qwen-prm', self: 0, prm: 1, both: 0, neither: 0 }]);
    assert.equal(report.humanAgreement?.firstErrors.n, 3);
    const markdown = reportMarkdown(report);
    assert.doesNotMatch(markdown, /every figure below/);
    assert.match(
      markdown,
      /left out of processbench\.jsonl, prm800k\.jsonl and the figures against the human labels below \(the count with a human first-error label, ProcessBench F1, calibration, Self-PRM precision against human labels\)\.\*\* The rated-step count, the who-was-right tallies and the annotator agreement keep them/,
    );
  });
});

describe('what each JSONL file holds, said in report.md and the messages', () => {
  test('a sample labelled by its first-error mark alone (step 0 unrated) has no prm800k.jsonl row, and the report says why', () => {
    const run: Run = smallRun();
    const events = [
      // Sample 0: rated from step 0: a PRM800K row.
      rate(0, 0, 1),
      rate(0, 1, -1),
      mark(0, 1),
      // Sample 2: its first error marked at step 1 and rated there, step 0 unrated: no PRM800K row.
      rate(2, 1, -1),
      mark(2, 1),
    ].map((change) => ({ ...ev(change), annotator: 'ana' }));
    const { labels, sources, byAnnotator } = resolveRunLabels(run.samples, events);
    const runs: LabeledRun[] = [{ run, labels, annotation: { sources, byAnnotator } }];
    assert.deepEqual(
      prm800kRows(runs).map((row) => row.steplens.sample),
      [0],
    );
    assert.equal(processBenchRows(runs).length, 2, 'both first-error marks are ProcessBench labels');
    const exported = exportedRows(runs);
    assert.deepEqual(exported, {
      processBenchRows: 2,
      prm800kRows: 1,
      notInPrm800k: [{ run: run.id, sample: 2 }],
    });
    const markdown = reportMarkdown(agreementReport(runs));
    assert.match(markdown, /Exported: processbench\.jsonl 2 row\(s\) .*prm800k\.jsonl 1 row\(s\)/);
    assert.match(
      markdown,
      new RegExp(`1 labelled sample\\(s\\) have no rating on step 0 .*: ${run.id} sample 2\\.`),
    );
    assert.equal(
      exportedRowsNotice(exported),
      'processbench.jsonl 2 row(s), prm800k.jsonl 1 row(s) (1 labelled sample(s) have no rating on step 0, where a PRM800K row starts: see report.md)',
    );
    // Nothing missing: the report says what the files hold and no more.
    const clean = exportedRows(labeled());
    assert.deepEqual(clean.notInPrm800k, []);
    assert.doesNotMatch(reportMarkdown(agreementReport(labeled())), /no rating on step 0/);
  });
});
