/**
 * src/core/symbolic.ts called directly, in this thread: compute-engine parses each LaTeX string
 * here exactly as src/symbolic/worker.mjs does, and the module's exported functions judge the
 * MathJSON. Every expectation is worked out by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ComputeEngine } from '@cortex-js/compute-engine';
import {
  type Fingerprint,
  fingerprint,
  fingerprintsEqual,
  type MathJson,
  toMathJson,
  worthParsing,
} from '../../src/core/symbolic.js';

const engine = new ComputeEngine();
const parsed = new Map<string, unknown>();

/** compute-engine's MathJSON for `latex`, parsed once. */
function parse(latex: string): unknown {
  if (!parsed.has(latex)) parsed.set(latex, engine.parse(latex, { canonical: false }).json);
  return parsed.get(latex);
}

/** The fingerprint of an answer as the worker would hand it over; null when it is not judged. */
function print(latex: string): Fingerprint | null {
  const json = toMathJson(parse(latex));
  assert.notEqual(json, null, `${latex} narrows to MathJSON`);
  return fingerprint(latex, json as MathJson);
}

function equal(a: string, b: string): boolean {
  const left = print(a);
  const right = print(b);
  assert.notEqual(left, null, `${a} is judged`);
  assert.notEqual(right, null, `${b} is judged`);
  return fingerprintsEqual(left as Fingerprint, right as Fingerprint);
}

/** Hand-written MathJSON, for shapes the parser does not produce. */
function printJson(json: MathJson, latex = ''): Fingerprint | null {
  return fingerprint(latex, json);
}

function equalJson(a: MathJson, b: MathJson): boolean {
  const left = printJson(a);
  const right = printJson(b);
  assert.notEqual(left, null, `${JSON.stringify(a)} is judged`);
  assert.notEqual(right, null, `${JSON.stringify(b)} is judged`);
  return fingerprintsEqual(left as Fingerprint, right as Fingerprint);
}

// [a, b, why]
const EQUAL: [string, string, string][] = [
  ['(x+1)^2', 'x^2+2x+1', 'a polynomial identity'],
  ['\\sin^2x+\\cos^2x', '1', 'Pythagoras; 1 sampled over x too'],
  ['2\\sqrt2', '\\sqrt8', 'radicals, within round-off'],
  ['\\sqrt3\\sqrt3-3', '0', 'an exact cancellation leaves -4e-16, below the round-off allowance'],
  ['\\frac{1}{2}', '0.5', 'a fraction and its decimal'],
  ['.5', '\\frac12', 'a decimal without a leading digit'],
  ['e^{i\\pi}', '-1', 'Euler'],
  ['\\exponentialE^{\\imaginaryI\\pi}', '-1', 'Euler with the named constants'],
  ['\\ln(-1)', 'i\\pi', 'principal log of a negated 1 has argument +π, not −π'],
  ['e^{\\ln x}', 'x', 'exp undoes the principal log for either sign'],
  ['\\log_2 8', '3', 'base-2 logarithm (Lb)'],
  ['\\lb 8', '3', 'Log with base 2'],
  ['\\lg 100', '2', 'Log with base 10'],
  ['\\log 100', '2', 'Log defaults to base 10'],
  ['\\log_3 9', '2', 'Log with base 3'],
  ['3\\frac12', '\\frac72', 'a mixed number'],
  ['3\\frac12', '3.5', 'a mixed number against its decimal'],
  ['-3\\frac12', '-\\frac72', 'a negated mixed number'],
  ['2\\frac43', '\\frac83', 'an improper fraction after a whole number is a product'],
  ['x\\frac12', '\\frac{x}{2}', 'a variable before a fraction is a product'],
  ['3\\frac{1}{x}', '\\frac{3}{x}', 'a non-numeric denominator is a product'],
  ['3\\frac{1.5}{2}', '2.25', 'a decimal numerator is a product'],
  ['1.5\\frac12', '0.75', 'a decimal whole is a product'],
  ['5!', '120', 'factorial'],
  ['\\frac{5!}{3!}', '20', 'factorials divide exactly'],
  ['0!', '1', 'zero factorial'],
  ['20!', '2432902008176640000', 'a factorial beyond the safe integers'],
  ['\\arcsin 1', '\\frac{\\pi}{2}', 'arcsin'],
  ['\\sin^{-1} 1', '\\frac{\\pi}{2}', 'inverse sine written as a power'],
  ['\\cos^{-1} 0', '\\frac{\\pi}{2}', 'inverse cosine written as a power'],
  ['\\tan^{-1} 1', '\\frac{\\pi}{4}', 'inverse tangent written as a power'],
  ['\\arccos 0', '\\frac{\\pi}{2}', 'arccos'],
  ['\\arccos 1', '0', 'arccos at the domain edge'],
  ['\\arcsin(-1)', '-\\frac{\\pi}{2}', 'arcsin at the lower domain edge'],
  ['\\arctan 1', '\\frac{\\pi}{4}', 'arctan'],
  ['\\arctan 3', '\\frac{\\pi}{2}-\\arctan\\frac13', 'arctan outside [-1, 1]'],
  ['\\tan x', '\\frac{\\sin x}{\\cos x}', 'tangent'],
  ['\\cot x', '\\frac{\\cos x}{\\sin x}', 'cotangent'],
  ['\\sec x', '\\frac{1}{\\cos x}', 'secant'],
  ['\\csc x', '\\frac{1}{\\sin x}', 'cosecant'],
  ['\\cosh^2x-\\sinh^2x', '1', 'hyperbolic Pythagoras'],
  ['\\tanh x', '\\frac{\\sinh x}{\\cosh x}', 'hyperbolic tangent'],
  ['\\cosh x', '\\frac{e^x+e^{-x}}{2}', 'cosh from exponentials'],
  ['\\sqrt[3]{-8}', '-2', 'a real cube root of a negative number'],
  ['\\sqrt[-3]{-8}', '-\\frac12', 'a real root with a negative odd index'],
  ['\\sqrt[3]{8}', '2', 'a cube root of a positive number'],
  ['\\sqrt[4]{-16}', '\\sqrt2+\\sqrt2 i', 'an even root of a negative number is the principal one'],
  ['\\sqrt{-4}', '2i', 'a square root of a negative number'],
  ['(-8)^{\\frac13}', '1+\\sqrt3 i', 'a fractional power is the principal one'],
  ['8^{\\frac13}', '2', 'a fractional power of a positive number'],
  ['0^{\\frac12}', '0', 'a positive power of zero'],
  ['\\sqrt{0}', '0', 'the root of zero'],
  ['(-2)^3', '-8', 'an integer power of a negative number'],
  ['i^2', '-1', 'an integer power of i'],
  ['i^0', '1', 'the zeroth power of i'],
  ['(1+i)^2', '2i', 'a square of a complex number'],
  ['(1+i)^{-2}', '-\\frac{i}{2}', 'a negative integer power of a complex number'],
  ['2^{i}', '\\cos(\\ln 2)+i\\sin(\\ln 2)', 'a complex exponent'],
  ['|x|', '\\sqrt{x^2}', 'absolute value'],
  ['|3+4i|', '5', 'the modulus of a complex number'],
  ['|-3|', '3', 'absolute value of a negative number'],
  ['\\lfloor 2.5\\rfloor', '2', 'floor'],
  ['\\lceil 2.5\\rceil', '3', 'ceiling'],
  ['\\lfloor -2.5\\rfloor', '-3', 'floor of a negative number'],
  ['\\lfloor\\frac{|x|}{2.5}\\rfloor', '0', 'sampled magnitudes are below 2.5'],
  ['\\lceil\\frac{0.35}{|x|}\\rceil', '1', 'sampled magnitudes are at least 0.35'],
  ['\\frac{x}{y}y', 'x', 'two variables'],
  ['\\alpha+\\beta', '\\beta+\\alpha', 'Greek variables'],
  ['\\phi\\Omega', '\\Omega\\phi', 'more Greek variables'],
  ['x-y', '-(y-x)', 'subtraction and negation'],
  ['2^{100}', '1267650600228229401496703205376', 'a big power, exactly'],
  ['\\frac{1}{3}+\\frac{1}{6}', '\\frac12', 'exact fraction sum'],
  ['\\frac{6}{4}', '\\frac32', 'a fraction in lowest terms'],
  ['\\frac{-1}{2}', '-\\frac12', 'sign of a fraction'],
  ['\\frac{1}{-2}', '-\\frac12', 'a negative denominator'],
  ['2^{-3}', '\\frac18', 'a negative integer power'],
  ['(\\frac23)^{-2}', '\\frac94', 'a negative power of a fraction'],
  ['(\\frac{-2}{3})^{3}', '-\\frac{8}{27}', 'an odd power of a negative fraction'],
  ['\\frac{2}{10^{12}}', '10^{-12}+10^{-12}', 'tiny exact numbers'],
  ['\\frac13', '0.3333333', 'a decimal within the relative tolerance 1e-6'],
  ['1.00000001x', 'x', 'a decimal coefficient within the tolerance'],
  ['0.1+0.2', '0.3', 'decimals within tolerance'],
  ['1.5e3', '1500', 'scientific notation'],
  ['\\frac{i}{1+i}', '\\frac{1+i}{2}', 'division by a complex number'],
  ['\\sqrt[3]{-1+i}', '\\frac{1+i}{\\sqrt[3]{2}}', 'a complex radicand takes the principal root'],
  ['\\operatorname{f}(x)', 'fx', 'a one-letter name is a variable, juxtaposed'],
];

const DIFFERENT: [string, string, string][] = [
  ['\\sqrt{x^2}', 'x', 'x is sampled negative too'],
  ['\\ln(x^2)', '2\\ln x', 'the principal log differs for negative x'],
  ['x^2+1', 'x^2-1', 'differ by 2'],
  ['x', 'y', 'different variables take different values'],
  ['x+\\sqrt{y^2}', 'x+y', 'the second variable meets negative values too'],
  ['w+x+y+\\sqrt{z^2}', 'w+x+y+z', 'the fourth variable meets negative values too'],
  ['x+y+\\sqrt{z^2}', 'x+y+z', 'the third variable meets negative values too'],
  ['\\sin^2x+\\cos^2y', '1', 'two variables, not Pythagoras'],
  ['0.333', '\\frac13', 'a decimal beyond the tolerance'],
  ['\\frac13', '\\frac{333333333}{1000000000}', 'exact rationals compare exactly'],
  ['\\frac{100000001x}{100000000}', 'x', 'no decimal, so the tight tolerance applies'],
  ['2^{100}+1', '2^{100}', 'doubles cannot tell these apart; exact values can'],
  ['170!+1', '170!', 'an exact factorial'],
  ['10^{-12}', '\\frac{2}{10^{12}}', 'tiny numbers compared exactly'],
  ['(-8)^{\\frac13}', '-2', 'the principal cube root is not the real one'],
  ['\\sqrt[3]{-8}', '2', 'a real root keeps its sign'],
  ['e^{i\\pi}', '1', 'Euler, wrong sign'],
  ['\\lfloor 2.5\\rfloor', '3', 'floor is not ceiling'],
  ['\\lceil 2.5\\rceil', '2', 'ceiling is not floor'],
  ['\\arcsin 1', '\\arccos 1', 'inverse functions differ'],
  ['\\sin x', '\\cos x', 'sine is not cosine'],
  ['\\tan x', '\\cot x', 'tangent is not cotangent'],
  ['\\sec x', '\\csc x', 'secant is not cosecant'],
  ['\\sinh x', '\\cosh x', 'hyperbolic functions differ'],
  ['\\tanh x', '\\sinh x', 'tanh is not sinh'],
  ['\\arctan 1', '\\arcsin 1', 'different inverse functions'],
  ['\\log 100', '\\ln 100', 'base 10 is not base e'],
  ['\\log_2 8', '\\log 8', 'base 2 is not base 10'],
  ['(1+i)^2', '2', 'complex results keep their imaginary part'],
  ['|3+4i|', '7', 'the modulus is not the sum'],
  ['5!', '100', 'factorial, wrong'],
  ['\\frac{5}{2}', '\\frac{5}{3}', 'different fractions'],
  ['(1+i)^{-2}', '\\frac{i}{2}', 'sign of a complex quotient'],
  ['\\frac{i}{1+i}', '\\frac{1-i}{2}', 'complex division, conjugate mistake'],
];

describe('fingerprintsEqual: pairs a mathematician calls equal', () => {
  for (const [a, b, why] of EQUAL) {
    test(`${a} = ${b} (${why})`, () => {
      assert.equal(equal(a, b), true);
      assert.equal(equal(b, a), true);
    });
  }
});

describe('fingerprintsEqual: pairs that differ', () => {
  for (const [a, b, why] of DIFFERENT) {
    test(`${a} ≠ ${b} (${why})`, () => {
      assert.equal(equal(a, b), false);
      assert.equal(equal(b, a), false);
    });
  }
});

// Answers outside what is evaluated: no fingerprint, so never equal to anything.
const NOT_JUDGED: [string, string][] = [
  ['\\frac{1}{0}', 'division by zero'],
  ['\\frac{x}{x-x}', 'division by zero at every point'],
  ['0^{-1}', 'a negative power of zero'],
  ['0^{-\\frac12}', 'a negative fractional power of zero'],
  ['\\arcsin 2', 'arcsin out of its domain'],
  ['\\arccos(-2)', 'arccos out of its domain'],
  ['\\ln 0', 'the log of zero'],
  ['\\log_1 5', 'a log to base 1'],
  ['\\log_0 5', 'a log to base 0'],
  ['\\sin(i)', 'a trigonometric function of a complex argument'],
  ['(-1)!', 'factorial of a negative number'],
  ['2.5!', 'factorial of a non-integer'],
  ['171!', 'a factorial beyond the doubles'],
  ['2^{5000}', 'an overflow'],
  ['\\sqrt[0]{2}', 'a zeroth root'],
  ['\\operatorname{foo}(x)', 'an unknown function'],
  ['\\exp(1)', 'Exp written with parentheses is an unknown name juxtaposed'],
  ['\\sec^{-1} 1', 'an inverse function other than sin, cos, tan'],
  ['x=1', 'an equation'],
  ['\\infty', 'infinity'],
  ['\\{1,2\\}', 'a set'],
  ['2\\times10^{-12}', 'compute-engine reads it as 0: a zero from non-zero digits is not trusted'],
  ['2\\cdot10^{-12}', 'the same misreading with a dot'],
];

describe('fingerprint: answers not judged', () => {
  for (const [latex, why] of NOT_JUDGED) {
    test(`${latex} (${why})`, () => {
      const json = toMathJson(parse(latex));
      assert.equal(json === null ? null : fingerprint(latex, json), null);
    });
  }
});

describe('fingerprint: contents', () => {
  test('free variables are sorted, constants are not variables', () => {
    assert.deepEqual(print('y+x+\\pi+e+i')?.variables, ['x', 'y']);
    assert.deepEqual(print('\\beta\\alpha')?.variables, ['alpha', 'beta']);
    assert.deepEqual(print('2')?.variables, []);
  });
  test('a decimal marks the answer approximate', () => {
    assert.equal(print('0.5')?.approximate, true);
    assert.equal(print('.5')?.approximate, true);
    assert.equal(print('\\frac12')?.approximate, false);
    assert.equal(print('12')?.approximate, false);
  });
  test('exact values of rational constants', () => {
    assert.deepEqual(print('\\frac{6}{-4}')?.exact, { n: -3n, d: 2n });
    assert.deepEqual(print('3\\frac12')?.exact, { n: 7n, d: 2n });
    assert.deepEqual(print('5!')?.exact, { n: 120n, d: 1n });
    assert.deepEqual(print('(\\frac23)^{-2}')?.exact, { n: 9n, d: 4n });
    assert.deepEqual(print('(\\frac{-2}{3})^{-3}')?.exact, { n: -27n, d: 8n });
    assert.deepEqual(print('2^{3}')?.exact, { n: 8n, d: 1n });
    assert.deepEqual(print('(2)')?.exact, { n: 2n, d: 1n });
    assert.deepEqual(print('1+2+3')?.exact, { n: 6n, d: 1n });
    assert.deepEqual(print('2\\cdot3\\cdot4')?.exact, { n: 24n, d: 1n });
    assert.deepEqual(printJson(['Subtract', 5, 7])?.exact, { n: -2n, d: 1n });
    assert.deepEqual(printJson(['Rational', 2, 4])?.exact, { n: 1n, d: 2n });
    assert.deepEqual(printJson({ num: '-12' })?.exact, { n: -12n, d: 1n });
    assert.equal(print('\\sqrt4')?.exact, null, 'radicals are not exact');
    assert.equal(print('0.5')?.exact, null, 'decimals are not exact');
    assert.equal(print('2^{\\frac12}')?.exact, null, 'a fractional power is not exact');
    assert.equal(print('x+1')?.exact, null, 'an expression with variables has no exact value');
    assert.equal(print('2^{1000}')?.exact?.n, 2n ** 1000n);
    assert.equal(print('1000!')?.exact ?? null, null, '1000! is too long for an exact value and a double');
  });
  test('a constant is sampled once, a variable eight times', () => {
    const constant = print('2') as Fingerprint;
    assert.equal([...constant.values.values()][0]?.length, 1);
    const linear = print('x') as Fingerprint;
    const values = linear.values.get('x') ?? [];
    assert.equal(values.length, 8);
    // The sign of the first variable follows bit 0 of the point; magnitudes lie in [0.35, 2.5).
    values.forEach((value, point) => {
      assert.equal(value?.im, 0);
      assert.equal(Math.sign(value?.re ?? 0), point % 2 === 0 ? 1 : -1);
      assert.ok(Math.abs(value?.re ?? 0) >= 0.35 && Math.abs(value?.re ?? 0) < 2.5);
    });
    assert.equal(new Set(values.map((v) => Math.abs(v?.re ?? 0))).size, 8, 'each point its own magnitude');
    const two = print('x+y') as Fingerprint;
    assert.equal(fingerprintsEqual(two, print('y+x') as Fingerprint), true);
    const pair = two.values.get('x,y') ?? [];
    // Sampled over x and y: x + y takes its sign from bit 0 and bit 1 of the point.
    assert.equal(pair.length, 8);
  });
  test('values are cached per set of sampled variables', () => {
    const a = print('x') as Fingerprint;
    const b = print('x+y-y') as Fingerprint;
    assert.equal(fingerprintsEqual(a, b), true);
    assert.deepEqual([...a.values.keys()].sort(), ['x', 'x,y']);
    const before = a.values.get('x,y');
    assert.equal(fingerprintsEqual(a, b), true);
    assert.equal(a.values.get('x,y'), before);
  });
  test('too few points where both sides have a value', () => {
    // √x is imaginary for the four negative samples, so its sine is not judged there: four points
    // with a value are fewer than the five needed.
    assert.equal(equal('\\sin\\sqrt{x}', '\\sin\\sqrt{x}'), false);
    // One side without a value where the other has one.
    assert.equal(equal('\\sin\\sqrt{x}', '\\sin\\sqrt{|x|}'), false);
    assert.equal(equal('\\sin\\sqrt{|x|}', '\\sin\\sqrt{x}'), false);
    // x + |x| is 2x or exactly 0, so the log has no value only where x, y and z are all negative
    // (point 7): seven points agree, and the point where neither side has a value is skipped.
    assert.equal(equal('\\ln(x+|x|+y+|y|+z+|z|)', '\\ln(x+|x|+y+|y|+z+|z|)'), true);
    // A variable the other side lacks is still sampled at every point.
    assert.equal(equal('\\sin\\sqrt{|x|}', '\\sin\\sqrt{|x|}+y-y'), true);
  });
});

describe('fingerprint: hand-written MathJSON', () => {
  test('operands and arities', () => {
    assert.equal(equalJson(['Subtract', 5, 3], 2), true);
    assert.equal(equalJson(['Subtract', 'x', 'y'], ['Add', 'x', ['Negate', 'y']]), true);
    assert.equal(equalJson(['Subtract', 'x', 'y'], ['Add', 'y', ['Negate', 'x']]), false);
    assert.equal(equalJson(['Rational', 1, 2], 0.5), true);
    assert.equal(equalJson(['Subtract', ['Multiply', 2, 'i'], 'i'], 'i'), true);
    assert.equal(equalJson(['Rational', 'x', 2], ['Divide', 'x', 2]), true);
    assert.equal(equalJson(['Root', 8, 3], 2), true);
    assert.equal(
      equalJson(['Root', 'x', 3], ['Power', 'x', ['Divide', 1, 3]]),
      false,
      'real root of negative x',
    );
    assert.equal(equalJson(['Log', 100], 2), true);
    assert.equal(equalJson(['Log', 8, 2], 3), true);
    assert.equal(equalJson(['Log', 'x', 'e'], ['Ln', 'x']), true);
    assert.equal(equalJson(['Lg', 1000], 3), true);
    assert.equal(equalJson(['Lb', 'x'], ['Divide', ['Ln', 'x'], ['Ln', 2]]), true);
    assert.equal(equalJson(['Exp', 1], 'ExponentialE'), true);
    assert.equal(equalJson(['Exp', 'x'], ['Power', 'e', 'x']), true);
    assert.equal(equalJson(['Exp', ['Multiply', 'i', 'Pi']], -1), true);
    assert.equal(equalJson(['Multiply', 2, 'x', 'y'], ['InvisibleOperator', 'y', 2, 'x']), true);
    assert.equal(equalJson(['Add', 'x'], 'x'), true);
    assert.equal(equalJson(['Multiply', 'x'], 'x'), true);
    assert.equal(equalJson(['Delimiter', 'x'], 'x'), true);
    assert.equal(equalJson(['Negate', 'x'], ['Multiply', -1, 'x']), true);
    assert.equal(equalJson(['Negate', 'ImaginaryUnit'], ['Multiply', -1, 'i']), true);
    assert.equal(equalJson(['Factorial', 4], 24), true);
    assert.equal(equalJson({ num: '1.5' }, 1.5), true);
    assert.equal(equalJson({ num: '.5' }, 0.5), true);
    assert.equal(equalJson({ num: '-2e3' }, -2000), true);
    assert.equal(equalJson({ num: '+4E-1' }, 0.4), true);
  });
  const REFUSED: [MathJson, string][] = [
    [['Add'], 'Add without operands'],
    [['Multiply'], 'Multiply without operands'],
    [['InvisibleOperator'], 'InvisibleOperator without operands'],
    [['Subtract', 1], 'Subtract with one operand'],
    [['Subtract', 1, 2, 3], 'Subtract with three operands'],
    [['Divide', 1], 'Divide with one operand'],
    [['Rational', 1, 2, 3], 'Rational with three operands'],
    [['Power', 2], 'Power with one operand'],
    [['Root', 8], 'Root with one operand'],
    [['Log'], 'Log without operands'],
    [['Log', 8, 2, 3], 'Log with three operands'],
    [['Delimiter', 1, 2], 'Delimiter with two operands'],
    [['Delimiter'], 'Delimiter without operands'],
    [['Sin', 1, 2], 'Sin with two operands'],
    [['Negate'], 'Negate without operands'],
    [['Foo', 1], 'an unknown operator'],
    [['toString', 1], 'a name every object has'],
    [[1, 2], 'a head that is not a name'],
    [['Apply', 'f', 1], 'an Apply of a plain name'],
    [['Apply', ['InverseFunction', 5], 1], 'an inverse of a number'],
    [['Apply', ['Inverse', 'Sin'], 1], 'an Apply of something else'],
    [['Apply', ['InverseFunction', 'Sin']], 'an inverse sine without its operand'],
    [['Apply', ['InverseFunction', 'Sin'], 1, 2], 'an inverse sine with two operands'],
    [['Add', 'x', 'Foo'], 'an unknown name inside'],
    ['xy', 'a two-letter name'],
    ['Infinity', 'a constant outside the grammar'],
    [{ num: 'NaN' }, 'NaN'],
    [{ num: '+Infinity' }, 'infinity'],
    [{ num: '1.2.3' }, 'a malformed number'],
    [{ num: '1e400' }, 'a number that overflows a double'],
    [{ num: 'e5' }, 'no digits'],
    [{ num: '1.5x' }, 'trailing text'],
    [{ num: 'x1.5' }, 'leading text'],
    [Number.POSITIVE_INFINITY, 'an infinite number'],
  ];
  for (const [json, why] of REFUSED) {
    test(`refused: ${why}`, () => assert.equal(printJson(json), null));
  }
  test('an inverse sine and arcsin agree', () => {
    assert.equal(equalJson(['Apply', ['InverseFunction', 'Sin'], 0.5], ['Arcsin', 0.5]), true);
    assert.equal(equalJson(['Apply', ['InverseFunction', 'Cos'], 0.5], ['Arccos', 0.5]), true);
    assert.equal(equalJson(['Apply', ['InverseFunction', 'Tan'], 'x'], ['Arctan', 'x']), true);
    assert.equal(equalJson(['Apply', ['InverseFunction', 'Sin'], 0.5], ['Divide', 'Pi', 6]), true);
  });
  test('a mixed number needs a whole number and a proper numeric fraction', () => {
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1, 3]], ['Divide', 7, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 0, ['Divide', 1, 3]], ['Divide', 1, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', -2, ['Divide', 1, 3]], ['Divide', -2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', -1, 3]], ['Divide', -2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 3, 3]], 2), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 4, 3]], ['Divide', 8, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1, 3], 3], 2), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Rational', 1, 3]], ['Divide', 2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1.5, 3]], 1), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1, 3.5]], ['Divide', 4, 7]), true);
    assert.equal(equalJson(['InvisibleOperator', 2.5, ['Divide', 1, 3]], ['Divide', 5, 6]), true);
    assert.equal(
      equalJson(['InvisibleOperator', 2, ['Divide', 'x', 3]], ['Divide', ['Multiply', 2, 'x'], 3]),
      true,
    );
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1, 'x']], ['Divide', 2, 'x']), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', { num: '1' }, 3]], ['Divide', 2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, ['Divide', 1, { num: '3' }]], ['Divide', 2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', { num: '2' }, ['Divide', 1, 3]], ['Divide', 2, 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 'x', ['Divide', 1, 3]], ['Divide', 'x', 3]), true);
    assert.equal(equalJson(['InvisibleOperator', 2, 3], 6), true);
  });
});

describe('toMathJson', () => {
  const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
  const ROWS: [string, unknown, MathJson | null][] = [
    ['a number', 3, 3],
    ['a name', 'x', 'x'],
    ['an array', ['Add', 1, 'x'], ['Add', 1, 'x']],
    ['an empty array', [], []],
    ['a num object', { num: '1e400' }, { num: '1e400' }],
    ['a num object loses its other keys', { num: '2', wikidata: 'Q2' }, { num: '2' }],
    ['a sym object', { sym: 'Pi' }, 'Pi'],
    ['a fn object', { fn: ['Sqrt', { num: '2' }] }, ['Sqrt', { num: '2' }]],
    ['a fn of a sym', { fn: { sym: 'x' } }, 'x'],
    ['a num that is not a string', { num: 5 }, null],
    ['a sym that is not a string', { sym: 5 }, null],
    ['a num that is not a string falls through to sym', { num: 5, sym: 'x' }, 'x'],
    ['a sym that is not a string falls through to fn', { sym: 5, fn: 'y' }, 'y'],
    ['an empty object', {}, null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['a boolean', true, null],
    ['an array with null inside', ['Add', 1, null], null],
    ['an array with an object inside', ['Add', 1, { str: 'x' }], null],
    ['depth 32', nest(32), nest(32) as MathJson],
    ['depth 33', nest(33), null],
    ['255 operands (256 nodes)', ['Add', ...Array(254).fill(1)], ['Add', ...Array(254).fill(1)]],
    ['256 operands (257 nodes)', ['Add', ...Array(255).fill(1)], null],
  ];
  for (const [name, input, expected] of ROWS) {
    test(name, () => assert.deepEqual(toMathJson(input), expected));
  }
  test('fn wrappers do not count as depth', () => {
    let chain: unknown = nest(32);
    for (let i = 0; i < 40; i++) chain = { fn: chain };
    assert.deepEqual(toMathJson(chain), nest(32));
  });
  test('fn wrappers count as nodes', () => {
    let chain: unknown = 1;
    for (let i = 0; i < 255; i++) chain = { fn: chain };
    assert.equal(toMathJson(chain), 1);
    assert.equal(toMathJson({ fn: chain }), null);
  });
  test('nodes are counted across siblings and depth', () => {
    const half = ['Add', ...Array(126).fill(1)]; // 128 nodes
    assert.notEqual(toMathJson(['Add', half, ...Array(126).fill(1)]), null); // 1 + 128 + 127 = 256
    assert.equal(toMathJson(['Add', half, ...Array(127).fill(1)]), null);
  });
});

describe('worthParsing', () => {
  const ROWS: [string, boolean, string][] = [
    ['', false, 'empty'],
    ['x', true, 'one letter'],
    ['1'.repeat(200), true, '200 characters'],
    ['1'.repeat(201), false, '201 characters'],
    ['1+2', true, 'one operator'],
    ['1++2', false, 'two pluses'],
    ['1--2', false, 'two minuses'],
    ['1+-2', false, 'plus then minus'],
    ['1**2', false, 'two stars'],
    ['1//2', false, 'two slashes'],
    ['x==1', false, 'two equals'],
    ['x<>1', false, 'less then greater'],
    ['x=1', true, 'one equals'],
    ['x^^2', false, 'two carets'],
    ['x^2', true, 'one caret'],
    ['x__1', false, 'two underscores'],
    ['x_1', true, 'one underscore'],
    ['||x||', false, 'a norm'],
    ['|x|', true, 'an absolute value'],
    ['a&b', false, 'an alignment tab'],
    ['1\\\\2', false, 'a line break'],
    ['\\begin{matrix}1\\end{matrix}', false, 'an environment'],
    ['\\end', false, 'an environment end'],
    ['\\text{no}', false, 'text'],
    ['nosolution', false, 'a word'],
    ['xyz', false, 'three letters'],
    ['xy', true, 'two letters'],
    ['x y z', true, 'letters apart'],
    ['\\sin x', true, 'a command is not a word'],
    ['\\arcsin\\alpha', true, 'commands only'],
    ['\\sin abc', false, 'a word after a command'],
    [`${'('.repeat(16)}x${')'.repeat(16)}`, true, 'nested 16 deep'],
    [`${'('.repeat(17)}x${')'.repeat(17)}`, false, 'nested 17 deep'],
    [`${'[{('.repeat(5)}(x)${')}]'.repeat(5)}`, true, 'mixed brackets 16 deep'],
    [`${'(x)'.repeat(20)}`, true, 'many groups, shallow'],
    ['(x', false, 'unclosed'],
    ['x)', false, 'unopened'],
    ['(x]', false, 'mismatched round and square'],
    ['[x)', false, 'mismatched square and round'],
    ['{x]', false, 'mismatched brace and square'],
    ['[x}', false, 'mismatched square and brace'],
    ['(x}', false, 'mismatched round and brace'],
    ['{x)', false, 'mismatched brace and round'],
    ['[x]', true, 'square brackets'],
    ['\\frac{1}{2}', true, 'braces'],
    ['(x)]', false, 'one closer too many'],
  ];
  for (const [latex, expected, why] of ROWS) {
    test(`${why}: ${latex.length > 40 ? `${latex.slice(0, 40)}…` : latex}`, () =>
      assert.equal(worthParsing(latex), expected));
  }
});
