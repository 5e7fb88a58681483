/**
 * The dataset's own labels (ProcessBench `label`, `final_answer_correct`) on rows scored as they
 * are: carried into exports and reported as a third reference, judge versus gold beside judge
 * versus the people auditing here — never inherited by a sampled solution of the same problem.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replayAudit, stampEvent } from '../../src/core/audit.js';
import { agreementReport, processBenchRows, reportMarkdown } from '../../src/core/export.js';
import { datasetLabels } from '../../src/core/gold.js';
import type { Run } from '../../src/core/schemas.js';
import { smallRun } from '../fixtures/smallRun.js';

interface Row {
  id: string;
  steps: string[];
  label: number;
  finalAnswerCorrect: boolean;
  /** First errors the two judges give: self (a critic) and the PRM. */
  self: number;
  prm: number;
}

/** A ProcessBench row scored as it is: one sample, the row's own steps. */
function rowRun({ id, steps, label, finalAnswerCorrect, self, prm }: Row): Run {
  const run = smallRun();
  run.id = `run-${id}`;
  run.problem = {
    id,
    text: `Problem ${id}`,
    steps,
    humanFirstError: label,
    finalAnswerCorrect,
    generator: 'Qwen2.5-Math-7B-Instruct',
    format: 'processbench',
    source: { file: 'processbench.jsonl', row: 1 },
  };
  const scores = (firstError: number) =>
    steps.map((_, step) => (firstError === -1 || step < firstError ? 1 : 0));
  run.samples = [
    {
      index: 0,
      text: steps.join('\n\n'),
      steps: [...steps],
      answer: null,
      judgements: {
        self: { stepScores: scores(self), firstError: self },
        'qwen-prm': { stepScores: scores(prm), firstError: prm },
      },
    },
  ];
  return run;
}

const steps = ['a', 'b', 'c'];
// Self is lenient on A (calls its error correct), right on B and C; the PRM right on A only.
const rows: Row[] = [
  { id: 'A', steps, label: 1, finalAnswerCorrect: false, self: -1, prm: 1 },
  { id: 'B', steps, label: -1, finalAnswerCorrect: true, self: -1, prm: 0 },
  { id: 'C', steps, label: 2, finalAnswerCorrect: false, self: 2, prm: -1 },
];
const noLabels = replayAudit([]);

/** A sampled solution of row A's problem: other steps, so the row's labels are not its labels. */
function sampledRun(): Run {
  const run = rowRun(rows[0]!);
  run.id = 'run-sampled';
  run.samples[0]!.steps = ['a', 'b', 'd'];
  return run;
}

describe("the dataset's own labels", () => {
  test('belong to the row’s own steps only: a changed or sampled step list has none', () => {
    const run = rowRun(rows[0]!);
    assert.deepEqual(datasetLabels(run.problem, run.samples[0]!), {
      firstError: 1,
      finalAnswerCorrect: false,
    });
    assert.equal(datasetLabels(run.problem, { steps: ['a', 'b'] }), undefined);
    assert.equal(datasetLabels(run.problem, { steps: ['a', 'b', 'd'] }), undefined);
    assert.equal(datasetLabels(run.problem, { steps: ['a', 'b', 'c', 'd'] }), undefined);
    // A row may carry one label without the other: only that one is given.
    const { humanFirstError, finalAnswerCorrect, ...bare } = run.problem;
    assert.deepEqual(datasetLabels({ ...bare, humanFirstError }, run.samples[0]!), { firstError: 1 });
    assert.deepEqual(datasetLabels({ ...bare, finalAnswerCorrect }, run.samples[0]!), {
      finalAnswerCorrect: false,
    });
    assert.equal(datasetLabels(bare, run.samples[0]!), undefined);
  });

  test('a labeled row exports the file’s final_answer_correct, not null', () => {
    const run = rowRun(rows[0]!);
    const labels = replayAudit([stampEvent({ type: 'firstError', sample: 0, step: 1 }, new Date(0))]);
    assert.deepEqual(
      processBenchRows([{ run, labels }]).map((row) => [row.id, row.label, row.final_answer_correct]),
      [['run-A/0', 1, false]],
    );
    const sampled = sampledRun();
    assert.deepEqual(
      processBenchRows([{ run: sampled, labels }]).map((row) => row.final_answer_correct),
      [null],
    );
  });

  test('the report gives each judge’s ProcessBench F1 against the dataset labels, without any audit', () => {
    const runs = [
      ...rows.map((row) => ({ run: rowRun(row), labels: noLabels })),
      { run: sampledRun(), labels: noLabels },
    ];
    const report = agreementReport(runs);
    assert.equal(report.labeledSamples, 0);
    assert.equal(report.datasetLabeledSamples, 3);
    const byJudge = Object.fromEntries(
      report.judges.map((judge) => [judge.judge, judge.againstDataset.processBench]),
    );
    // Self: A missed (erroneous), C hit; B hit (correct) → 0.5 and 1 → F1 2/3.
    assert.deepEqual(byJudge.self, { acc_erroneous: 0.5, acc_correct: 1, f1: 2 / 3, n: 3 });
    // PRM: A hit, C missed; B missed → 0.5 and 0 → F1 0.
    assert.deepEqual(byJudge['qwen-prm'], { acc_erroneous: 0.5, acc_correct: 0, f1: 0, n: 3 });
    // Self called A and B correct: the dataset says only B is.
    assert.deepEqual(report.selfPrecision.againstDatasetLabels, {
      precision: 0.5,
      predictedPositive: 2,
      truePositive: 1,
    });
    // Without a reference, the rows' own final_answer_correct: A false, B true.
    assert.deepEqual(report.selfPrecision.againstReference, {
      precision: 0.5,
      predictedPositive: 2,
      truePositive: 1,
    });
    // Human-label figures stay empty: nothing was audited.
    assert.equal(report.judges[0]!.processBench.n, 0);

    const markdown = reportMarkdown(report);
    assert.match(markdown, /## ProcessBench F1 against the dataset's own labels/);
    assert.match(markdown, /\| self \| Qwen\/QwQ-32B \| 3 \| 0 \| 50\.0 % \| 100\.0 % \| 66\.7 % \|/);
    assert.match(
      markdown,
      /\| qwen-prm \| Qwen\/Qwen2\.5-Math-PRM-7B \| 3 \| 0 \| 50\.0 % \| 0\.0 % \| 0\.0 % \|/,
    );
    assert.match(markdown, /\| dataset labels \| 2 \| 1 \| 50\.0 % \|/);
  });

  test('a report without dataset rows has no dataset section', () => {
    const markdown = reportMarkdown(agreementReport([{ run: sampledRun(), labels: noLabels }]));
    assert.doesNotMatch(markdown, /dataset/);
  });
});
