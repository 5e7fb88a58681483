/**
 * The Dataset Report view's pure parts: what counts as a disagreement, where the first one is,
 * the table rows from dataset.json (pass rate, picks at k_max), the table's sorting and filtering,
 * the run paths the page may ask for, and the panel going to a focus once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DatasetIndex } from '../../src/core/dataset.js';
import {
  disagreeingStep,
  disagreementCount,
  firstDisagreement,
  type ProblemRow,
  problemRows,
} from '../../src/core/reportProblems.js';
import { runPathInFolder } from '../../src/io/paths.js';
import { parseReportWebviewMessage } from '../../src/protocol.js';
import { filterRows, openLabel, sortRows, toggleSort, visibleRows } from '../../webview/report/rows.js';
import { PanelState } from '../../webview/state.js';
import { datasetProblem, reportIndex } from '../fixtures/reportDataset.js';
import { smallRun } from '../fixtures/smallRun.js';

/** Per sample: right?, self first error, self score, prm first error, prm score. */
const problem = datasetProblem('p', [
  [true, -1, 0.9, -1, 0.9], // agree: no error
  [false, 2, 0.2, 2, 0.2], // agree: step 2
  [false, -1, 0.8, 3, 0.3], // self correct, PRM step 3: disagree at 3
  [false, 1, 0.3, -1, 0.7], // self step 1, PRM correct: disagree at 1
  [true, 3, 0.4, 1, 0.2], // both find errors, at 3 and 1: disagree at 1
]);

describe('disagreements from dataset.json', () => {
  test('a sample disagrees when the first errors differ, −1 included; failed verdicts disagree with nothing', () => {
    assert.equal(disagreementCount(problem, ['prm']), 3);
    const failed = structuredClone(problem);
    failed.samples[2]!.judges.prm = { score: null, firstError: null, failed: true };
    failed.samples[3]!.failed = true;
    assert.equal(disagreementCount(failed, ['prm']), 1);
    assert.equal(disagreementCount(problem, []), 0, 'no PRM, nothing to disagree with');
  });

  test('the first disagreement: the lowest sample that disagrees, at the earlier first error', () => {
    assert.deepEqual(firstDisagreement(problem, ['prm']), { sample: 2, step: 3, prm: 'prm' });
    const later = structuredClone(problem);
    later.samples.splice(2, 2);
    assert.deepEqual(firstDisagreement(later, ['prm']), { sample: 4, step: 1, prm: 'prm' });
    assert.equal(firstDisagreement(datasetProblem('q', [[true, -1, 0.9, -1, 0.9]]), ['prm']), null);
    assert.equal(disagreeingStep(-1, 3), 3);
    assert.equal(disagreeingStep(2, -1), 2);
    assert.equal(disagreeingStep(4, 1), 1);
  });

  test('with two PRMs: the first PRM (in judge order) that disagrees on the first sample that disagrees', () => {
    const two = structuredClone(problem);
    for (const sample of two.samples) sample.judges.prm2 = { ...sample.judges.self! };
    two.samples[1]!.judges.prm2 = { score: 0.1, firstError: 0 };
    assert.deepEqual(firstDisagreement(two, ['prm', 'prm2']), { sample: 1, step: 0, prm: 'prm2' });
    assert.equal(disagreementCount(two, ['prm', 'prm2']), 4);
  });

  test('rows: pass rate, disagreements, first disagreement and picks at k_max', () => {
    const index: DatasetIndex = reportIndex({
      problems: [problem, datasetProblem('none', [[true, -1, 0.9, -1, 0.9]], null)],
    });
    const [row, noReference] = problemRows(index);
    assert.deepEqual(
      { ...row, picks: undefined },
      {
        id: 'p',
        run: 'runs/p.json',
        n: 5,
        right: 2,
        passRate: 0.4,
        disagreements: 3,
        firstDisagreement: { sample: 2, step: 3, prm: 'prm' },
        picks: undefined,
      },
    );
    // Answers: 7, 11, 12, 10, 7 → majority 7 (right). Self-PRM calls samples 0 and 2 error-free:
    // 7 and 12 tie, the first seen (7) wins: right. PRM best (min score): sample 0 (0.9): right.
    assert.deepEqual(row!.picks, { majority: true, 'self-prm': true, 'prm-best-of-n:prm': true });
    assert.deepEqual(
      { right: noReference!.right, passRate: noReference!.passRate, picks: noReference!.picks },
      { right: null, passRate: null, picks: { majority: null, 'self-prm': null, 'prm-best-of-n:prm': null } },
    );
  });

  test('a problem whose every sample failed has no disagreement count (not 0, which reads as agreement)', () => {
    const made = datasetProblem('f', [
      [true, -1, 0.9, 1, 0.1],
      [true, -1, 0.9, 1, 0.1],
    ]);
    const failed = { ...made, samples: made.samples.map((sample) => ({ ...sample, failed: true as const })) };
    const [row, judged] = problemRows(reportIndex({ problems: [failed, made] }));
    assert.deepEqual([row!.n, row!.passRate, row!.disagreements], [0, null, null]);
    assert.equal(judged!.disagreements, 2, 'the same samples judged: both disagree');
  });

  test('a pick that is wrong: PRM best-of-n trusts a wrong sample', () => {
    const wrongBest = datasetProblem('w', [
      [true, -1, 0.9, -1, 0.5],
      [false, -1, 0.8, -1, 0.95],
      [true, -1, 0.7, -1, 0.4],
    ]);
    const [row] = problemRows(reportIndex({ problems: [wrongBest] }));
    assert.deepEqual(row!.picks, { majority: true, 'self-prm': true, 'prm-best-of-n:prm': false });
  });
});

const row = (
  id: string,
  passRate: number | null,
  disagreements: number,
  pick: boolean | null,
  subset?: string,
): ProblemRow => ({
  id,
  run: `runs/${id}.json`,
  ...(subset ? { subset } : {}),
  n: 4,
  right: passRate === null ? null : passRate * 4,
  passRate,
  disagreements,
  firstDisagreement: null,
  picks: { majority: pick },
});

describe('the problems table: sorting and filtering', () => {
  const rows = [
    row('p10', 0.5, 1, true, 'algebra'),
    row('p2', null, 3, null),
    row('p1', 0.25, 3, false, 'geometry'),
    row('p3', 1, 0, true),
  ];
  const ids = (list: ProblemRow[]) => list.map((r) => r.id);

  test('by id (numeric), pass rate, disagreements and pick; nulls last either way; ties by id', () => {
    assert.deepEqual(ids(sortRows(rows, { sort: null, descending: false })), ['p10', 'p2', 'p1', 'p3']);
    assert.deepEqual(ids(sortRows(rows, { sort: 'id', descending: false })), ['p1', 'p2', 'p3', 'p10']);
    assert.deepEqual(ids(sortRows(rows, { sort: 'passRate', descending: false })), ['p1', 'p10', 'p3', 'p2']);
    assert.deepEqual(ids(sortRows(rows, { sort: 'passRate', descending: true })), ['p3', 'p10', 'p1', 'p2']);
    assert.deepEqual(ids(sortRows(rows, { sort: 'disagreements', descending: true })), [
      'p1',
      'p2',
      'p10',
      'p3',
    ]);
    assert.deepEqual(ids(sortRows(rows, { sort: 'pick:majority', descending: false })), [
      'p1',
      'p3',
      'p10',
      'p2',
    ]);
    assert.deepEqual(ids(sortRows(rows, { sort: 'pick:majority', descending: true })), [
      'p3',
      'p10',
      'p1',
      'p2',
    ]);
  });

  test('a header sorts ascending, then reverses; another header starts ascending', () => {
    const first = toggleSort({ sort: null, descending: false, filter: '' }, 'passRate');
    assert.deepEqual(first, { sort: 'passRate', descending: false, filter: '' });
    assert.deepEqual(toggleSort(first, 'passRate'), { sort: 'passRate', descending: true, filter: '' });
    assert.deepEqual(toggleSort(toggleSort(first, 'passRate'), 'id'), {
      sort: 'id',
      descending: false,
      filter: '',
    });
  });

  test('the filter matches id or subset, any case; blank shows all', () => {
    assert.deepEqual(ids(filterRows(rows, 'P1')), ['p10', 'p1']);
    assert.deepEqual(ids(filterRows(rows, 'geom')), ['p1']);
    assert.deepEqual(ids(filterRows(rows, '  ')), ids(rows));
    assert.deepEqual(ids(visibleRows(rows, { sort: 'id', descending: true, filter: 'p1' })), ['p10', 'p1']);
  });
});

describe('opening a run from the report', () => {
  test('run paths stay inside the dataset folder', () => {
    const folder = join('/data', 'aime');
    assert.equal(runPathInFolder(folder, 'runs/p1.json'), join(folder, 'runs', 'p1.json'));
    assert.equal(runPathInFolder(folder, '../other/runs/p1.json'), undefined);
    assert.equal(runPathInFolder(folder, '/etc/passwd'), undefined);
    assert.equal(runPathInFolder(folder, '.'), undefined);
    assert.equal(runPathInFolder(folder, 'runs/../../x.json'), undefined);
  });

  test('the page message is checked: a sample or step that is not a count is dropped', () => {
    assert.deepEqual(
      parseReportWebviewMessage({ type: 'report/openRun', run: 'runs/a.json', sample: 1, step: 0 }),
      {
        type: 'report/openRun',
        run: 'runs/a.json',
        sample: 1,
        step: 0,
      },
    );
    assert.equal(
      parseReportWebviewMessage({ type: 'report/openRun', run: 'runs/a.json', sample: -1 }),
      undefined,
    );
    assert.equal(parseReportWebviewMessage({ type: 'report/openRun', run: '' }), undefined);
  });

  test('the open button names the sample and step as the panel numbers them (from 0)', () => {
    const row = problemRows(reportIndex()).find((entry) => entry.firstDisagreement !== null)!;
    const at = row.firstDisagreement!;
    assert.equal(
      openLabel(row),
      `Open ${row.id} in the panel at its first disagreement: sample ${at.sample}, step ${at.step}, Self-PRM against ${at.prm}`,
    );
  });

  test('the panel goes to a run/show focus once per request, and to another request again', () => {
    const run = smallRun();
    const state = new PanelState('page');
    state.receive({ type: 'run/show', run, events: [], readOnly: false });
    assert.equal(state.view.sample, 1, 'without a focus: the first disagreement');
    const last = run.samples.at(-1)!;
    const effects = state.receive({
      type: 'run/show',
      run,
      events: [],
      readOnly: false,
      focus: { id: 1, sample: last.index, step: 1 },
    });
    assert.deepEqual([state.view.sample, state.view.step], [last.index, 1]);
    assert.ok(effects.scrollStep);
    state.receive({
      type: 'run/show',
      run,
      events: [],
      readOnly: false,
      focus: { id: 1, sample: 1, step: 0 },
    });
    assert.equal(state.view.sample, last.index, 'the same request is not gone to twice');
    state.receive({
      type: 'run/show',
      run,
      events: [],
      readOnly: false,
      focus: { id: 2, sample: 0, step: 0 },
    });
    assert.equal(state.view.sample, 0);
  });
});
