/**
 * What the panel derives from a run before drawing it (webview/model.ts, webview/keys.ts): the
 * answers table, per-sample disagreement and progress, the τ legend, and the key map its help
 * shows. Pure modules, so they are checked here in Node; the drawing is checked in Chromium.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replayAudit, stampEvent } from '../../src/core/audit.js';
import type { Run } from '../../src/core/schemas.js';
import { KEY_HELP, KEYMAP } from '../../webview/keys.js';
import {
  answerRows,
  formatScore,
  judgeFirstError,
  summarize,
  thresholdLegend,
  verdictText,
} from '../../webview/model.js';
import { smallRun } from '../fixtures/smallRun.js';

/** smallRun with solution scores, a fourth sample answering 42 again, and one that failed. */
function run(): Run {
  const base = smallRun();
  const scores: Record<number, [number, number]> = { 0: [1, 0.9], 1: [1, 0.1], 2: [0.25, 0.2] };
  for (const sample of base.samples) {
    sample.judgements.self!.solutionScore = scores[sample.index]![0];
    sample.judgements['qwen-prm']!.solutionScore = scores[sample.index]![1];
  }
  base.samples.push(
    {
      index: 3,
      text: '',
      steps: ['42'],
      answer: '42',
      correct: true,
      judgements: {
        self: { stepScores: [0.5], firstError: -1, solutionScore: 0.5 },
        'qwen-prm': { stepScores: [null], firstError: null, error: 'HTTP 500' },
      },
    },
    { index: 4, text: '', steps: [], answer: null, error: 'HTTP 503', judgements: {} },
  );
  base.rerank = [
    { method: 'majority', sample: 0, answer: '42', correct: true, rule: 'r' },
    { method: 'prm-best-of-n', judge: 'qwen-prm', sample: 0, answer: '42', correct: true, rule: 'r' },
    { method: 'prm-best-of-n', judge: 'other-prm', sample: 1, answer: '48', correct: false, rule: 'r' },
    { method: 'self-prm', judge: 'self', sample: 1, answer: '48', correct: false, rule: 'r' },
  ];
  return base;
}

describe('the answers table', () => {
  test('one row per distinct answer, most votes first, failed samples left out, mean scores per judge', () => {
    const rows = answerRows(run(), 'qwen-prm');
    assert.deepEqual(
      rows.map((row) => [row.answer, row.members, row.correct, row.meanSelf, row.meanPrm]),
      [
        // Samples 0 and 3 answer 42: self (1 + 0.5) / 2; the PRM failed on 3, so only 0.9 counts.
        ['42', [0, 3], true, 0.75, 0.9],
        ['48', [1], false, 1, 0.1],
        ['14', [2], false, 0.25, 0.2],
      ],
    );
  });

  test('each row lists the picks that landed on it, for the shown PRM only', () => {
    const rows = answerRows(run(), 'qwen-prm');
    assert.deepEqual(
      rows.map((row) => row.picks.map((pick) => `${pick.method}${pick.judge ? `:${pick.judge}` : ''}`)),
      [['majority', 'prm-best-of-n:qwen-prm'], ['self-prm:self'], []],
    );
    assert.deepEqual(
      answerRows(run(), undefined).map((row) => row.meanPrm),
      [null, null, null],
      'no PRM shown: no PRM column figures',
    );
  });
});

describe('samples', () => {
  test('disagreement with the shown PRM and labelling progress, per sample', () => {
    const labels = replayAudit(
      [
        { type: 'stepRating', sample: 1, step: 0, rating: -1 },
        { type: 'stepRating', sample: 1, step: 1, rating: -1 },
        { type: 'note', sample: 2, step: 0, text: 'x' },
      ].map((change) => stampEvent(change as never, new Date('2026-11-28T10:00:00Z'))),
    );
    const summary = summarize(run(), labels, 'qwen-prm');
    // Sample 1: self 1, 1 against the PRM's 0.1, 0.1 — both steps disagree, and the first errors
    // differ (−1 vs 0). Sample 3: the PRM failed, so nothing to disagree with.
    assert.deepEqual(
      summary.map((entry) => [
        entry.sample.index,
        entry.disagreement.count,
        entry.disagreement.firstErrorsDiffer,
        entry.rated,
      ]),
      [
        [0, 0, false, 0],
        [1, 2, true, 2],
        [2, 0, false, 0],
        [3, 0, false, 0],
        [4, 0, false, 0],
      ],
    );
  });

  test('verdicts and scores as the table prints them', () => {
    const r = run();
    assert.deepEqual(
      r.samples.map((sample) => verdictText(judgeFirstError(r, sample, 'qwen-prm'))),
      ['no error', 'error @0', 'error @0', '–', '–'],
    );
    assert.deepEqual(
      [formatScore(0.5), formatScore(1), formatScore(null), formatScore(undefined)],
      ['0.50', '1.00', '–', '–'],
    );
  });
});

describe('the τ legend', () => {
  test("one τ when the judges share it, each judge's when they differ", () => {
    const r = run();
    assert.equal(thresholdLegend(r, 'qwen-prm'), 'τ = 0.5');
    r.config.prms[0]!.threshold = 0.7;
    assert.equal(thresholdLegend(r, 'qwen-prm'), 'τ: Self-PRM 0.5 · qwen-prm 0.7');
    assert.equal(thresholdLegend(r, undefined), 'τ = 0.5');
    r.judges = r.judges.filter((judge) => judge.id !== 'self');
    assert.equal(thresholdLegend(r, 'qwen-prm'), 'τ = 0.7');
  });
});

describe('the key map', () => {
  test('every key the help names does what the help says', () => {
    const named = KEY_HELP.flatMap(([keys]) => keys.split(' / '));
    assert.deepEqual(named, [
      'j',
      'k',
      'J',
      'K',
      'n',
      '1',
      '2',
      '3',
      's',
      'p',
      'b',
      'x',
      'e',
      '0',
      'm',
      'u',
      'f',
      '/',
      'F3',
      'Shift+F3',
      '?',
    ]);
    for (const key of named) assert.ok(KEYMAP[key], `${key} is mapped`);
    assert.deepEqual(
      ['1', '2', '3'].map((key) => KEYMAP[key]),
      [
        { kind: 'rate', rating: -1 },
        { kind: 'rate', rating: 0 },
        { kind: 'rate', rating: 1 },
      ],
      "PRM800K's left-to-right order",
    );
    assert.deepEqual(
      ['s', 'p', 'b', 'x'].map((key) => KEYMAP[key]),
      ['self', 'prm', 'both', 'neither'].map((who) => ({ kind: 'who', who })),
    );
  });
});
