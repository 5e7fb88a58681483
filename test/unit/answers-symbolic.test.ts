import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { answersEquivalent, extractAnswer, setSymbolicEquivalence } from '../../src/core/answers.js';
import { worthParsing } from '../../src/core/symbolic.js';
import { majorityVote } from '../../src/core/vote.js';
import {
  installSymbolicEquivalence,
  symbolicStats,
  uninstallSymbolicEquivalence,
} from '../../src/symbolic/client.js';
import { processBenchRows, readFixture } from '../support.js';

interface Pair {
  a: string;
  b: string;
  equivalent: boolean;
  note: string;
}

/**
 * Limits no loaded machine reaches: these tests are about verdicts, not speed (the time-out test
 * sets its own parse limit to 0).
 */
const UNHURRIED = { parseTimeoutMs: 30_000, startTimeoutMs: 120_000 };

const PAIRS = readFixture('answer_pairs.jsonl')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Pair);

describe('the answer-pair probe (test/fixtures/answer_pairs.jsonl)', () => {
  before(() => installSymbolicEquivalence(UNHURRIED));
  after(() => uninstallSymbolicEquivalence());

  test('holds at least 37 equivalent pairs and as many near misses', () => {
    const equivalent = PAIRS.filter((pair) => pair.equivalent).length;
    assert.ok(equivalent >= 37, `${equivalent} equivalent pairs`);
    assert.ok(PAIRS.length - equivalent >= equivalent, 'as many near misses as equivalent pairs');
  });

  for (const pair of PAIRS) {
    test(`${pair.a} ${pair.equivalent ? '≡' : '≢'} ${pair.b} (${pair.note})`, () => {
      assert.equal(answersEquivalent(pair.a, pair.b), pair.equivalent);
      assert.equal(answersEquivalent(pair.b, pair.a), pair.equivalent);
    });
  }
});

describe('answer equivalence without the symbolic check (the panel)', () => {
  test('the textual cases are the normaliser’s alone', () => {
    setSymbolicEquivalence(null);
    for (const [a, b] of [
      ['\\text{(C)}', '\\text{C}'],
      ['\\text{The final answer is } 143', '143'],
      ['\\textdollar 20', '20'],
      ['7/3', '2\\frac13'],
      ['\\binom52', '10'],
      ['{6 \\choose 3}', '20'],
      [
        '\\begin{pmatrix} 1 & -1/3 \\\\ 0 & 2 \\end{pmatrix}',
        '\\begin{pmatrix} 1 & -\\frac13 \\\\ 0 & 2 \\end{pmatrix}',
      ],
    ]) {
      assert.equal(answersEquivalent(a, b), true, `${a} ≡ ${b}`);
    }
    assert.equal(answersEquivalent('2\\sqrt2', '\\sqrt8'), false);
  });
});

describe('the symbolic check stays bounded', () => {
  test('inputs that make the parser take exponential time never reach it', () => {
    assert.equal(worthParsing('('.repeat(20) + 'x'), false);
    assert.equal(worthParsing('-'.repeat(30) + '1'), false);
    assert.equal(worthParsing('x'.repeat(250)), false);
    assert.equal(worthParsing('\\text{no solution}'), false);
    assert.equal(worthParsing('\\frac{\\sqrt{2}}{2}'), true);
  });

  test('a parse over its time limit counts as not equal, and repeated time-outs switch the check off', () => {
    installSymbolicEquivalence({ ...UNHURRIED, parseTimeoutMs: 0, maxTimeouts: 2 });
    try {
      assert.equal(answersEquivalent('2\\sqrt2', '\\sqrt8'), false);
      assert.equal(answersEquivalent('x^2+1', '1+x^2'), false);
      assert.equal(symbolicStats()?.timeouts, 2);
      assert.equal(answersEquivalent('3^{-2}', '\\frac19'), false);
      assert.equal(symbolicStats()?.timeouts, 2, 'no parse once the check is off');
      assert.equal(answersEquivalent('\\frac{1}{2}', '0.5'), true, 'the normaliser still decides');
    } finally {
      uninstallSymbolicEquivalence();
    }
  });

  test('a vote parses each distinct answer once', () => {
    installSymbolicEquivalence(UNHURRIED);
    try {
      const spellings = ['2\\sqrt2', '\\sqrt8', '\\sqrt{8}', '2\\sqrt{2}', '3', '\\frac{4}{\\sqrt2}'];
      const answers = Array.from({ length: 64 }, (_, i) => spellings[i % spellings.length]!);
      const vote = majorityVote(answers);
      assert.deepEqual(
        vote.groups.map((group) => [group.answer, group.weight]),
        [
          ['2\\sqrt2', 54],
          ['3', 10],
        ],
      );
      // Six spellings normalise to four (`\sqrt8` = `\sqrt{8}`, `2\sqrt2` = `2\sqrt{2}`): four parses.
      assert.equal(symbolicStats()?.parses, 4);
    } finally {
      uninstallSymbolicEquivalence();
    }
  });
});

describe('ProcessBench sample: verdicts against final_answer_correct', () => {
  before(() => installSymbolicEquivalence(UNHURRIED));
  after(() => uninstallSymbolicEquivalence());

  /**
   * The sample has no reference answers, but rows on the same problem are a fair test: two correct
   * final answers must be equivalent, a correct and a wrong one must not (two wrong ones may be).
   */
  test('rows on the same problem agree with their final_answer_correct labels', () => {
    const rows = processBenchRows().map((row) => ({
      ...row,
      answer: extractAnswer(row.steps[row.steps.length - 1]!, { numericFallback: false }),
    }));
    const judged: string[] = [];
    for (const [i, x] of rows.entries()) {
      for (const y of rows.slice(i + 1)) {
        if (x.problem !== y.problem || x.answer === null || y.answer === null) continue;
        if (!x.final_answer_correct && !y.final_answer_correct) continue;
        const expected = x.final_answer_correct && y.final_answer_correct;
        assert.equal(
          answersEquivalent(x.answer, y.answer),
          expected,
          `${x.id} (${x.answer}) / ${y.id} (${y.answer})`,
        );
        judged.push(`${x.id}/${y.id}`);
      }
    }
    assert.deepEqual(judged, ['math-2/math-502', 'math-4/math-504', 'olympiadbench-4/olympiadbench-504']);
  });
});
