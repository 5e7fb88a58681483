import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  answersEquivalent,
  extractAnswer,
  isNumericAnswer,
  normalizeAnswer,
  numericValue,
} from '../../src/core/answers.js';
import { majorityVote, TIE_RULE } from '../../src/core/vote.js';
import { processBenchRows } from '../support.js';

/** Read off the last step of each row by hand. */
const PROCESSBENCH_ANSWERS: Record<string, string> = {
  'gsm8k-0': '30',
  'gsm8k-1': '21',
  'gsm8k-2': '2800',
  'gsm8k-3': '35',
  'gsm8k-4': '37',
  'gsm8k-200': '20',
  'gsm8k-201': '6',
  'gsm8k-202': '34',
  'gsm8k-203': '73',
  'gsm8k-204': '48',
  'math-0': '9',
  'math-1': '3, -5',
  'math-2': '0',
  'math-3': '4',
  'math-4': '3104400',
  'math-500': '2b',
  'math-502': '\\pi',
  'math-503': '73',
  'math-504': '3110400',
  'math-505': '-150',
  'olympiadbench-0': '4',
  'olympiadbench-1': '4\\sqrt{3}',
  'olympiadbench-2': '1005',
  'olympiadbench-3': '135',
  'olympiadbench-4': '\\frac{26}{435}',
  'olympiadbench-501': '48',
  'olympiadbench-503': '(f(n), g(n)) = (n, 1)',
  'olympiadbench-504': '\\frac{17}{145}',
  'olympiadbench-505': '-8',
  'olympiadbench-506': '1',
  'omnimath-0': '4004',
  'omnimath-1': '126',
  'omnimath-2': '17',
  'omnimath-4': '102',
  'omnimath-500': '53',
  'omnimath-501': '2',
  'omnimath-504': '11',
  'omnimath-508': '71',
  'omnimath-509': '\\frac{32}{11}',
  'omnimath-3':
    '\\text{The exact value of } n \\text{ requires further detailed analysis and computation based on the outlined approach.}',
};

describe('answer extraction', () => {
  test('finds the answer in the last step of every ProcessBench row', () => {
    for (const row of processBenchRows()) {
      const expected = PROCESSBENCH_ANSWERS[row.id];
      assert.ok(expected !== undefined, `no expectation for ${row.id}`);
      const extracted = extractAnswer(row.steps[row.steps.length - 1]!);
      assert.equal(extracted, expected, row.id);
    }
  });

  test('the last \\boxed{} wins and nested braces survive', () => {
    assert.equal(
      extractAnswer('First \\boxed{1}, then \\boxed{\\frac{\\sqrt{3}}{2}}.'),
      '\\frac{\\sqrt{3}}{2}',
    );
    assert.equal(extractAnswer('so $\\boxed{\\{1, 2\\}}$'), '\\{1, 2\\}');
    assert.equal(extractAnswer('\\fbox{x^{2}}'), 'x^{2}');
    assert.equal(extractAnswer('thus $\\boxed 5$'), '5');
  });

  test('boxed beats a later "final answer" phrase; GSM8K "####" and answer phrases are read', () => {
    assert.equal(
      extractAnswer('Area \\(\\boxed{0}\\). Final Answer: The final answer is 1. I hope it is correct.'),
      '0',
    );
    assert.equal(extractAnswer('She pays 3 + 4 = 7 dollars.\n#### 1,234'), '1,234');
    assert.equal(extractAnswer('Therefore, the answer is $12$. Done.'), '12');
    assert.equal(extractAnswer('The final answer is: x = 5.'), 'x = 5');
  });

  test('falls back to the last number only when allowed, and returns null when nothing is there', () => {
    assert.equal(extractAnswer('He bought 3 apples and paid $2,800 in total.'), '2,800');
    assert.equal(extractAnswer('The value is -0.25 overall'), '-0.25');
    assert.equal(extractAnswer('He bought 3 apples.', { numericFallback: false }), null);
    assert.equal(extractAnswer('We cannot decide.'), null);
    assert.equal(extractAnswer(''), null);
  });
});

describe('normalisation and equivalence', () => {
  const equivalent: [string, string][] = [
    ['\\dfrac{1}{2}', '\\frac12'],
    ['0.5', '\\frac{1}{2}'],
    ['1/2', '\\tfrac{1}{2}'],
    ['-\\frac{3}{4}', '-0.75'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['(0.5, -1)', '(\\frac{1}{2}, -1.0)'],
    ['[1, 3)', '[1,3)'],
    ['3, -5', '-5, 3'],
    ['\\{1, 2\\}', '\\{2, 1\\}'],
    ['5', '5.0'],
    ['5.000', '5'],
    ['1,000,000', '1000000'],
    ['10\\%', '10'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90°'],
    ['\\$18.00', '18'],
    ['20 \\text{ cm}', '20'],
    ['20 centimeters', '20'],
    ['x = 5', '5'],
    ['$x=-2$', '-2'],
    ['\\text{(A)}', '(A)'],
    ['4\\sqrt3', '4\\sqrt{3}'],
    ['\\pi', '\\pi'],
    ['.5', '0.5'],
    ['1{,}234', '1234'],
    ['0.3333333333', '0.33333333334'],
    ['\\text{(C)}', '\\text{C}'],
    ['\\textbf{(B)}', 'B'],
    ['\\text{The final answer is } 143', '143'],
    ['The final answer is: 143.', '143'],
    ['\\text{Answer: }12', '12'],
    ['\\textdollar 20', '20'],
    ['7/3', '2\\frac13'],
    ['-2\\frac{1}{4}', '-2.25'],
    ['\\binom52', '10'],
    ['\\dbinom{6}{3}', '{6 \\choose 3}'],
    [
      '\\begin{pmatrix} 1 & -1/3 \\\\ 0 & 2 \\end{pmatrix}',
      '\\begin{pmatrix}1&-\\frac13\\\\0&2\\\\\\end{pmatrix}',
    ],
    [
      '\\begin{bmatrix} 2 & 0 \\\\ 0 & 2 \\end{bmatrix}',
      '\\left(\\begin{array}{cc} 2 & 0 \\\\ 0 & 2 \\end{array}\\right)',
    ],
  ];
  for (const [a, b] of equivalent) {
    test(`${a} ≡ ${b}`, () => {
      assert.equal(answersEquivalent(a, b), true);
      assert.equal(answersEquivalent(b, a), true);
    });
  }

  const different: [string, string][] = [
    ['(1, 2)', '(2, 1)'],
    ['[1, 3)', '(1, 3)'],
    ['(1, 2)', '(1, 2, 3)'],
    ['-5', '5'],
    ['0.333', '\\frac{1}{3}'],
    ['2b', '2a'],
    ['\\frac{1}{0}', '\\frac{2}{0}'],
    ['12', '120'],
    ['x = 5', 'x = 6'],
    ['\\text{(A)}', '\\text{(B)}'],
    ['7/3', '2\\frac23'],
    ['2\\frac{1}{3}', '\\frac{2}{3}'],
    ['\\binom{10}{3}', '\\binom{10}{4}'],
    ['2\\binom{5}{2}', '210'],
    ['0.000001', '0.000002'],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}'],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}'],
    ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 \\end{pmatrix}'],
  ];
  for (const [a, b] of different) {
    test(`${a} ≢ ${b}`, () => assert.equal(answersEquivalent(a, b), false));
  }

  test('a missing or empty answer is never equivalent, not even to itself', () => {
    assert.equal(answersEquivalent(null, null), false);
    assert.equal(answersEquivalent('', ''), false);
    assert.equal(answersEquivalent('$ $', '5'), false);
  });

  test('normalisation keeps non-unit text and recognises numeric references', () => {
    assert.equal(normalizeAnswer('\\text{no solution}'), 'nosolution');
    // A command keeps its space before a letter, so a parser later sees \pi times r.
    assert.equal(normalizeAnswer('2 \\pi r'), '2\\pi r');
    assert.equal(isNumericAnswer('\\dfrac{3}{7}'), true);
    assert.equal(isNumericAnswer('(1, 2)'), false);
  });
});

describe('majority vote', () => {
  test('groups equivalent spellings and counts votes', () => {
    const vote = majorityVote(['\\frac{1}{2}', '3', '0.5', null, '1/2', '3']);
    assert.equal(vote.winner?.answer, '\\frac{1}{2}');
    assert.deepEqual(vote.winner?.members, [0, 2, 4]);
    assert.deepEqual(
      vote.groups.map((group) => [group.answer, group.weight]),
      [
        ['\\frac{1}{2}', 3],
        ['3', 2],
      ],
    );
    assert.equal(vote.tie, false);
  });

  test('a tie goes to the answer that appeared first, and says so', () => {
    const vote = majorityVote(['7', '8', '8', '7']);
    assert.equal(vote.winner?.answer, '7');
    assert.equal(vote.tie, true);
    assert.match(TIE_RULE, /first/);
    assert.equal(majorityVote(['8', '7', '7', '8']).winner?.answer, '8');
  });

  test('weights change the winner; no answers means no winner', () => {
    const vote = majorityVote(['7', '8', '8'], [0.9, 0.2, 0.3]);
    assert.equal(vote.winner?.answer, '7');
    assert.equal(majorityVote([null, '  ']).winner, null);
  });
});

/** The normaliser's canonical forms and values, one rule per row (checked by hand). */
const NORMAL_FORMS: [string, string, number | null][] = [
  ['$\\dfrac{3}{4}$', '\\frac{3}{4}', 0.75],
  ['\\(\\tfrac12\\)', '\\frac{1}{2}', 0.5],
  ['\\left( 1, 2 \\right)', '(1,2)', null],
  ['90^\\circ', '90', 90],
  ['90°', '90', 90],
  ['45\\%', '45', 45],
  ['\\$15.00', '15', 15],
  ['1{,}000', '1000', 1000],
  ['5\\text{ cm}', '5', 5],
  ['\\text{(C)}', 'C', null],
  ['\\textbf{B}', 'B', null],
  ['\\mathrm{cm}', 'cm', null],
  ['x = 5', '5', 5],
  ['f(x) = 5', 'f(x)=5', null],
  ['The final answer is 143', '143', 143],
  ['Answer: 12', '12', 12],
  ['20 centimeters', '20', 20],
  ['1,234,567', '1234567', 1234567],
  ['1,23', '1,23', null],
  ['\\frac12', '\\frac{1}{2}', 0.5],
  ['\\frac{1}2', '\\frac{1}{2}', 0.5],
  ['\\frac1{2}', '\\frac{1}{2}', 0.5],
  ['\\sqrt2', '\\sqrt{2}', null],
  ['\\binom52', '10', 10],
  ['{5 \\choose 2}', '10', 10],
  ['\\binom{5}{2}+1', '(10)+1', null],
  ['\\binom{2}{5}', '0', 0],
  ['\\binom{2000}{3}', '\\binom{2000}{3}', null],
  ['\\pi r^2', '\\pi r^2', null],
  ['3.50', '3.5', 3.5],
  ['2.000', '2', 2],
  ['10.', '10', 10],
  ['.5', '0.5', 0.5],
  ['-.25', '-0.25', -0.25],
  ['x\\,+\\;1', 'x+1', null],
  ['\\displaystyle\\frac{a}{b}', '\\frac{a}{b}', null],
  ['a \\\\ b', 'a\\\\b', null],
  ['(A)', 'A', null],
  ['~7', '7', 7],
];

describe('normal forms', () => {
  for (const [raw, normal, value] of NORMAL_FORMS) {
    test(`${raw} → ${normal}${value === null ? '' : ` = ${value}`}`, () => {
      assert.equal(normalizeAnswer(raw), normal);
      assert.equal(numericValue(normal), value);
    });
  }
});
