import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  answersEquivalent,
  extractAnswer,
  normalizeAnswer,
  numericValue,
  setSymbolicEquivalence,
} from '../../src/core/answers.js';

/** The answer a reader would copy out of each solution (checked by hand, one rule per row). */
const EXTRACTIONS: [string, string, string | null][] = [
  [
    'escaped braces inside a box do not end it',
    'So $\\boxed{f(x) = \\left\\{ x, x > 0 \\right.}$ for all x.',
    'f(x) = \\left\\{ x, x > 0 \\right.',
  ],
  ['a space between \\boxed and its group', 'Thus $\\boxed {x+1}$.', 'x+1'],
  ['spaces inside the box are trimmed', 'Hence $\\boxed{ 12 }$.', '12'],
  ['a bare \\boxed 7 boxes the token after it', 'The number of ways is $\\boxed 7$, not 8.', '7'],
  ['a bare \\boxed boxes the whole token', 'so $\\boxed 12$', '12'],
  ['a box cut off before its closing brace is skipped', 'We get \\boxed{5} here, and then \\boxed{1', '5'],
  ['"\\boxed," in prose boxes nothing', 'We write it with \\boxed, as asked: 6', '6'],
  ['an empty box is no answer', 'Put the result in \\boxed{}. The answer is 4.', '4'],
  ['"####" with no space, and words after the number', 'She earns 9 * 2 = 18.\n####18 dollars', '18 dollars'],
  ['trailing spaces after "####" are dropped', 'Total: 72.\n#### 72  ', '72'],
  ['an empty "####" line is no answer', 'So she has 5 apples.\n####  ', '5'],
  ['"Final answer:" with no "is"', 'Final answer: y = 2', 'y = 2'],
  ['"The answer:" with no space after the colon', 'So the answer:x=3', 'x=3'],
  ['a space before the colon', 'The final answer is : 4', '4'],
  ['an answer phrase without a colon', 'Therefore the answer is $x = 3$.', 'x = 3'],
  ['the phrase ends at a sentence break with two spaces', 'The answer is 5.  Then we check it.', '5'],
  ['a decimal point is no sentence end', 'The answer is 3.5 meters', '3.5 meters'],
  ['a full stop and spaces at the end of the line', 'The answer is 7. ', '7'],
  ['\\(…\\) around the whole phrase comes off', 'The answer is \\(x+1\\) ', 'x+1'],
  ['$$…$$ around the whole phrase comes off', 'The answer is $$\\frac{1}{2}$$', '\\frac{1}{2}'],
  ['dollars around part of the phrase stay', 'The answer is x = $5$.', 'x = $5$'],
  ['an answer phrase with nothing after it is no answer', 'We get 7 in total. The final answer is: .', '7'],
  ['fallback: a number with thousands separators', 'In total they paid 12,500 dollars', '12,500'],
  ['fallback: three groups of thousands', 'The population is 1,234,567 people', '1,234,567'],
  ['fallback: a fraction with a two-digit denominator', 'The probability works out to 3/16', '3/16'],
  ['fallback: a decimal without its leading zero', 'The chance is .25', '.25'],
];

describe('answer extraction, rule by rule', () => {
  for (const [rule, text, expected] of EXTRACTIONS) {
    test(`${rule}: ${JSON.stringify(text)} → ${expected}`, () => assert.equal(extractAnswer(text), expected));
  }
});

/** Canonical forms and numeric values (checked by hand, one rule per row). */
const NORMAL_FORMS: [string, string, number | null][] = [
  // Math delimiters, wherever they stand.
  ['$$ \\[ x^2 \\] $$', 'x^2', null],
  ['$ \\(\\frac{1}{2}\\) $', '\\frac{1}{2}', 0.5],
  ['x = \\(5\\)', '5', 5],
  ['\\begin{pmatrix} 1 \\\\[2pt] 2 \\end{pmatrix}', '\\begin{pmatrix}1\\\\[2pt]2\\end{pmatrix}', null],
  // Units in \text{…}, and text that is content.
  ['5\\text {cm}', '5', 5],
  ['5\\text{ m}', '5', 5],
  ['\\frac{3}{2}\\text{ cm}', '\\frac{3}{2}', 1.5],
  ['\\frac{3}{2}\\text{cm}', '\\frac{3}{2}', 1.5],
  ['\\frac{3}{2}\\text{ square meters}', '\\frac{3}{2}', 1.5],
  ['\\frac{3}{2}\\text{ cubic square meters}', '\\frac{3}{2}', 1.5],
  ['2\\sqrt{2}\\text{ square  units}', '2\\sqrt{2}', null],
  ['\\frac{3}{2}\\text{ in.}', '\\frac{3}{2}', 1.5],
  ['2\\text{ and }3', '2and3', null],
  ['\\text{no answer exists}', 'noanswerexists', null],
  ['$ \\text{Yes}$', 'Yes', null],
  ['\\textbf{5}\\text{ cm}', '5', 5],
  ['\\mathbf{v}', 'v', null],
  // Answer phrases inside the answer.
  ['\\text{ The answer is } 12', '12', 12],
  ['The  final  answer  is  7', '7', 7],
  ['Answer : 12', '12', 12],
  ['Answer:12', '12', 12],
  ['\\text{Answer: }', 'Answer:', null],
  // A short left-hand side is dropped; anything else stays.
  ['2x = 10', '2x=10', null],
  ['a_1 = 3', '3', 3],
  ['a_{10} = 3', '3', 3],
  // Choices.
  ['P(A)', 'P(A)', null],
  ['(A), (C)', '(A),(C)', null],
  // Binomials.
  ['\\binom{10}{3}', '120', 120],
  ['\\binom{12}{10}', '66', 66],
  ['\\binom{5}{5}', '1', 1],
  ['\\binom{1000}{2}', '499500', 499500],
  ['\\binom{1001}{2}', '\\binom{1001}{2}', null],
  ['\\binom5 2', '10', 10],
  ['{ 10 \\choose 3 }', '120', 120],
  ['{10\\choose3}', '120', 120],
  ['{12 \\choose 10}', '66', 66],
  // Spacing, degrees.
  ['2\\pi\\,r', '2\\pi r', null],
  ['2\\pi  r', '2\\pi r', null],
  ['90^ {\\circ}', '90', 90],
  ['90^{ \\circ }', '90', 90],
  // Numbers with units, thousands, trailing zeros.
  ['3/16 inches', '3/16', 0.1875],
  ['20\\ cm', '20', 20],
  ['20 square meters', '20', 20],
  ['2 x', '2x', null],
  ['20 sq. ft', '20', 20],
  ['20 cm^2', '20cm^2', null],
  ['12,345', '12345', 12345],
  ['1,234.56', '1234.56', 1234.56],
  ['1,\\!000', '1000', 1000],
  ['10.50', '10.5', 10.5],
  ['100.0', '100', 100],
  ['12.5', '12.5', 12.5],
  ['+.25', '+.25', 0.25],
  // Fractions in their shorthand spellings.
  ['\\frac 1 2', '\\frac{1}{2}', 0.5],
  ['\\frac {1}2', '\\frac{1}{2}', 0.5],
  ['\\frac{10}3', '\\frac{10}{3}', 10 / 3],
  ['\\frac 1{2}', '\\frac{1}{2}', 0.5],
  ['\\frac1 {2}', '\\frac{1}{2}', 0.5],
  // Values: slashes, fractions, mixed numbers.
  ['12/5', '12/5', 2.4],
  ['1.25/2', '1.25/2', 0.625],
  ['3/1.25', '3/1.25', 2.4],
  ['1/0', '1/0', null],
  ['2 + 1/2', '2+1/2', null],
  ['1/2\\pi', '1/2\\pi', null],
  ['\\frac{-1}{2}', '\\frac{-1}{2}', -0.5],
  ['\\frac{1}{-4}', '\\frac{1}{-4}', -0.25],
  ['\\frac{12}{5}', '\\frac{12}{5}', 2.4],
  ['\\frac{1}{16}', '\\frac{1}{16}', 0.0625],
  ['\\frac{1.25}{2}', '\\frac{1.25}{2}', 0.625],
  ['\\frac{3}{1.25}', '\\frac{3}{1.25}', 2.4],
  ['\\frac{1}{2}x', '\\frac{1}{2}x', null],
  ['-\\frac{1}{0}', '-\\frac{1}{0}', null],
  ['12\\frac{1}{2}', '12\\frac{1}{2}', 12.5],
  ['1\\frac{10}{11}', '1\\frac{10}{11}', 1 + 10 / 11],
  ['1\\frac{1}{12}', '1\\frac{1}{12}', 1 + 1 / 12],
  ['2\\frac{3}{2}', '2\\frac{3}{2}', null],
  ['2\\frac{2}{2}', '2\\frac{2}{2}', null],
  ['2 + 1\\frac{1}{2}', '2+1\\frac{1}{2}', null],
  ['2\\frac{1}{3}x', '2\\frac{1}{3}x', null],
];

describe('normal forms, rule by rule', () => {
  for (const [raw, normal, value] of NORMAL_FORMS) {
    test(`${raw} → ${normal}${value === null ? '' : ` = ${value}`}`, () => {
      assert.equal(normalizeAnswer(raw), normal);
      assert.equal(numericValue(normal), value);
    });
  }
});

const pmatrix = (body: string) => `\\begin{pmatrix} ${body} \\end{pmatrix}`;

const EQUIVALENT: [string, string][] = [
  ['0', '-0'],
  ['(A), (C)', '(C), (A)'],
  ['x = \\(5\\)', '5'],
  ['\\begin{smallmatrix} 1 & 2 \\end{smallmatrix}', pmatrix('1 & 2')],
  ['\\begin{matrix} 1 & 2 \\end{matrix}', pmatrix('1 & 2')],
  [
    '\\begin{vmatrix} 0.5 & 2 \\\\ 3 & 4 \\end{vmatrix}',
    '\\begin{vmatrix} \\frac12 & 2 \\\\ 3 & 4 \\end{vmatrix}',
  ],
  ['\\begin{Vmatrix} 0.5 & 2 \\end{Vmatrix}', '\\begin{Vmatrix} \\frac12 & 2 \\end{Vmatrix}'],
  ['\\begin{Bmatrix} 0.5 & 2 \\end{Bmatrix}', '\\begin{Bmatrix} \\frac12 & 2 \\end{Bmatrix}'],
];

const DIFFERENT: [string, string][] = [
  ['2\\text{ and }3', '23'],
  ['\\{(1, 2), (3, 4)\\}', '\\{(1, 4), (3, 2)\\}'],
  ['\\{1, 2\\}', '\\{1, 3\\}'],
  ['[1, 3]', '[3, 1]'],
  ['(1, 2)', '(1, 3)'],
  ['f(1, 2)', '(1, 2)'],
  ['(1, 2) \\cup \\{3\\}', '(1, 2)'],
  ['\\mathbb{R} \\setminus \\{1, 2\\}', '\\{1, 2\\}'],
  ['\\{1, 2\\}^c', '\\{1, 2\\}'],
  [`2${pmatrix('1 \\\\ 2')}`, pmatrix('1 \\\\ 2')],
  [`${pmatrix('1 \\\\ 2')}^T`, pmatrix('1 \\\\ 2')],
  ['2\\left(\\begin{array}{cc} 1 & 0 \\\\ 0 & 1 \\end{array}\\right)', pmatrix('1 & 0 \\\\ 0 & 1')],
  ['\\left(\\begin{array}{cc} 2 & 0 \\\\ 0 & 2 \\end{array}\\right)^{-1}', pmatrix('2 & 0 \\\\ 0 & 2')],
  [pmatrix('1 \\\\ 2'), pmatrix('1 \\\\ 3')],
  [pmatrix('1 \\\\ 2'), pmatrix('1 \\\\ 2 \\\\ 3')],
  [pmatrix('1 & 2'), pmatrix('1 & 2 & 3')],
  ['\\begin{vmatrix} 1 & 2 \\end{vmatrix}', '\\begin{Vmatrix} 1 & 2 \\end{Vmatrix}'],
  ['\\begin{Bmatrix} 1 & 2 \\end{Bmatrix}', '\\begin{bmatrix} 1 & 2 \\end{bmatrix}'],
];

describe('equivalence, pair by pair', () => {
  for (const [a, b] of EQUIVALENT) {
    test(`${a} ≡ ${b}`, () => {
      assert.equal(answersEquivalent(a, b), true);
      assert.equal(answersEquivalent(b, a), true);
    });
  }
  for (const [a, b] of DIFFERENT) {
    test(`${a} ≢ ${b}`, () => {
      assert.equal(answersEquivalent(a, b), false);
      assert.equal(answersEquivalent(b, a), false);
    });
  }
  test('a missing answer is equivalent to nothing', () => {
    assert.equal(answersEquivalent(undefined, '5'), false);
    assert.equal(answersEquivalent('5', null), false);
  });
});

describe('the symbolic check behind the normaliser', () => {
  afterEach(() => setSymbolicEquivalence(null));

  /** A stand-in for the compute engine that knows one fact and records what it was asked. */
  function install(): [string, string][] {
    const asked: [string, string][] = [];
    setSymbolicEquivalence((a, b) => {
      asked.push([a, b]);
      return [a, b].sort().join(' ') === '2 \\sqrt{4}';
    });
    return asked;
  }

  test('decides single expressions the normaliser cannot, and is asked with normalised answers', () => {
    const asked = install();
    assert.equal(answersEquivalent('$\\sqrt{4}$', '2'), true);
    assert.equal(answersEquivalent('2', '\\sqrt 4'), true);
    assert.deepEqual(asked, [
      ['\\sqrt{4}', '2'],
      ['2', '\\sqrt{4}'],
    ]);
  });

  test('decides the items of tuples and sets, in order for tuples', () => {
    const asked = install();
    assert.equal(answersEquivalent('(\\sqrt{4}, 1)', '(2, 1)'), true);
    assert.equal(answersEquivalent('\\{1, \\sqrt{4}\\}', '\\{2, 1\\}'), true);
    assert.equal(answersEquivalent('(\\sqrt{4}, 1)', '(1, 2)'), false);
    assert.ok(
      asked.every(([a, b]) => !a.includes(',') && !b.includes(',')),
      JSON.stringify(asked),
    );
  });

  test('is never asked about a tuple, set, matrix or empty answer against a single expression', () => {
    const asked = install();
    assert.equal(answersEquivalent('(2, 1)', '\\sqrt{4}'), false);
    assert.equal(answersEquivalent('\\sqrt{4}', '\\{2, 1\\}'), false);
    assert.equal(answersEquivalent(pmatrix('2'), '\\sqrt{4}'), false);
    assert.equal(answersEquivalent('\\sqrt{4}', pmatrix('2')), false);
    assert.equal(answersEquivalent('$ $', '\\sqrt{4}'), false);
    assert.equal(answersEquivalent('\\sqrt{4}', '$ $'), false);
    assert.deepEqual(asked, []);
  });
});
