/**
 * The key map (webview/keys.ts) against the README's Keyboard section, the help overlay's text,
 * and the table cells, legends and label names the panel prints (webview/model.ts, saves.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type AuditChange, stampEvent } from '../../src/core/audit.js';
import type { Run } from '../../src/core/schemas.js';
import { KEY_HELP, KEYMAP } from '../../webview/keys.js';
import {
  answerRows,
  firstErrorText,
  goldFirstError,
  judgeCell,
  judgeName,
  METHOD_NAMES,
  tableJudges,
  thresholdLegend,
} from '../../webview/model.js';
import { describeLabel, labelKey, SaveTracker } from '../../webview/saves.js';
import { smallRun } from '../fixtures/smallRun.js';

describe('the keyboard', () => {
  test('every key maps to the action the README documents, the arrows as j / k', () => {
    assert.deepEqual(KEYMAP, {
      j: { kind: 'step', delta: 1 },
      ArrowDown: { kind: 'step', delta: 1 },
      k: { kind: 'step', delta: -1 },
      ArrowUp: { kind: 'step', delta: -1 },
      J: { kind: 'sample', delta: 1 },
      K: { kind: 'sample', delta: -1 },
      n: { kind: 'nextDisagreement' },
      '1': { kind: 'rate', rating: -1 },
      '2': { kind: 'rate', rating: 0 },
      '3': { kind: 'rate', rating: 1 },
      s: { kind: 'who', who: 'self' },
      p: { kind: 'who', who: 'prm' },
      b: { kind: 'who', who: 'both' },
      x: { kind: 'who', who: 'neither' },
      e: { kind: 'firstErrorHere' },
      '0': { kind: 'noError' },
      m: { kind: 'note' },
      u: { kind: 'undo' },
      f: { kind: 'filter' },
      '?': { kind: 'help' },
      Escape: { kind: 'escape' },
      '/': { kind: 'find' },
      F3: { kind: 'findNext', delta: 1 },
      'Shift+F3': { kind: 'findNext', delta: -1 },
    });
  });

  test('the README names the same keys as the help overlay, and the overlay says what each does', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Keyboard'), readme.indexOf('### Settings'));
    // The table's rows: | `j` / `k` | next / previous step |, and `0` named in the `e` row.
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const documented = rows.flatMap((row) => [...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const helped = KEY_HELP.flatMap(([keys]) => keys.split(' / '));
    assert.deepEqual([...documented].sort(), [...helped].sort());
    assert.deepEqual(KEY_HELP, [
      ['j / k', 'next / previous step'],
      ['J / K', 'next / previous sample'],
      ['n', 'next disagreement'],
      ['1 / 2 / 3', 'rate the step −1 (wrong) / 0 (neutral) / +1 (good); again to clear'],
      ['s / p / b / x', 'who was right here: self / PRM / both / neither'],
      ['e', 'the human first error is this step (again to clear)'],
      ['0', 'this sample has no error'],
      ['m', 'write a note on the step'],
      ['u', 'undo the last label'],
      ['f', 'only disagreements on / off'],
      [
        '/',
        'search the steps: Enter / Shift+Enter next / previous match, Tab on to the sample filters and sort, Esc back (again: clear the search)',
      ],
      ['F3 / Shift+F3', 'next / previous match'],
      ['?', 'this help'],
    ]);
  });
});

describe('what the tables print', () => {
  test('judge cells: score and first error, a failed judge, a judge not heard from yet', () => {
    const run = smallRun();
    run.samples[1]!.judgements['qwen-prm']!.solutionScore = 0.1;
    run.samples[2]!.judgements['qwen-prm'] = {
      stepScores: [null, null],
      firstError: null,
      error: 'HTTP 500',
    };
    delete run.samples[0]!.judgements.self;
    assert.deepEqual(
      [
        judgeCell(run, run.samples[1]!, 'qwen-prm'),
        judgeCell(run, run.samples[1]!, 'self'),
        judgeCell(run, run.samples[2]!, 'qwen-prm'),
        judgeCell(run, run.samples[0]!, 'self'),
      ],
      [
        {
          score: '0.10',
          firstError: '@0',
          title: 'qwen-prm: solution score 0.10; error at step 0',
          failed: false,
        },
        { score: '–', firstError: 'ok', title: 'Self-PRM: solution score –; no error', failed: false },
        { score: 'failed', firstError: '', title: 'qwen-prm failed: HTTP 500', failed: true },
        { score: '–', firstError: '–', title: 'Self-PRM: solution score –; not judged yet', failed: false },
      ],
    );
    assert.deepEqual([firstErrorText(undefined), firstErrorText(-1), firstErrorText(3)], ['–', 'ok', '@3']);
  });

  test('judges in the table: Self-PRM first, then the PRMs; names as shown', () => {
    const run = smallRun();
    assert.deepEqual(tableJudges(run), ['self', 'qwen-prm']);
    assert.deepEqual([judgeName('self'), judgeName('qwen-prm')], ['Self-PRM', 'qwen-prm']);
    run.judges = run.judges.filter((judge) => judge.id !== 'self');
    assert.deepEqual(tableJudges(run), ['qwen-prm']);
    assert.equal(thresholdLegend(run, undefined), 'τ = 0.5', 'no judge shown: the run’s τ');
  });

  test('the answers table: most votes first, failed samples out, missing judgements count as none', () => {
    const run: Run = smallRun();
    // 42 once (sample 0, the first answer), 14 twice (1 and 2): the more voted comes first.
    run.samples[1]!.answer = '14';
    run.samples[1]!.judgements = {};
    run.samples.push({ index: 3, text: '', steps: [], answer: '42', error: 'cut', judgements: {} });
    run.rerank = [{ method: 'majority', sample: null, answer: null, rule: 'r' }];
    assert.deepEqual(
      answerRows(run, 'qwen-prm').map((row) => [
        row.answer,
        row.members,
        row.meanSelf,
        row.meanPrm,
        row.picks,
      ]),
      [
        ['14', [1, 2], null, null, []],
        ['42', [0], null, null, []],
      ],
    );
    assert.deepEqual(METHOD_NAMES, {
      majority: 'Majority',
      'prm-best-of-n': 'PRM best-of-N',
      'prm-weighted': 'PRM-weighted',
      'self-prm': 'Self-PRM',
    });
  });

  test("the dataset's first error shows on its own solution only", () => {
    const run = smallRun();
    const own = run.samples[2]!;
    run.problem = { ...run.problem, format: 'processbench', steps: [...own.steps], humanFirstError: 1 };
    assert.deepEqual(
      run.samples.map((sample) => goldFirstError(run, sample)),
      [undefined, undefined, 1],
    );
  });
});

describe('label names and keys', () => {
  const ev = (change: AuditChange) => stampEvent(change, new Date('2026-11-28T10:00:00Z'));

  test('each kind of label has its own key, and a notice names it as a person reads it', () => {
    const events = [
      ev({ type: 'stepRating', sample: 2, step: 1, rating: 1 }),
      ev({ type: 'stepRating', sample: 2, step: 1, rating: 0 }),
      ev({ type: 'whoWasRight', sample: 2, step: 1, judge: 'qwen-prm', who: null }),
      ev({ type: 'firstError', sample: 2, step: 1 }),
      ev({ type: 'firstError', sample: 2, step: null }),
      ev({ type: 'note', sample: 2, step: 1, text: 'why' }),
      ev({ type: 'note', sample: 2, text: 'overall' }),
      ev({ type: 'clear', sample: 2, step: 1 }),
      ev({ type: 'clear', sample: 2 }),
    ];
    assert.deepEqual(
      events.map((event) => [labelKey(event), describeLabel(event)]),
      [
        ['rating:2:1', 'sample 2, step 1: rating +1'],
        ['rating:2:1', 'sample 2, step 1: rating 0'],
        ['who:2:1:qwen-prm', 'sample 2, step 1: who was right (vs qwen-prm) cleared'],
        ['firstError:2', 'sample 2: first error at step 1'],
        ['firstError:2', 'sample 2: first-error verdict cleared'],
        ['note:2:1', 'sample 2, step 1: note'],
        ['note:2:sample', 'sample 2: note'],
        ['clear:2:1', 'sample 2, step 1: labels cleared'],
        ['clear:2:sample', 'sample 2: labels cleared'],
      ],
    );
  });

  test('request ids count up per page', () => {
    const saves = new SaveTracker('page');
    const event = ev({ type: 'firstError', sample: 0, step: 0 });
    assert.deepEqual([saves.begin(event), saves.begin(event)], ['page-1', 'page-2']);
  });
});
