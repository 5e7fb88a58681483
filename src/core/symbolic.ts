/**
 * The symbolic half of answer equivalence. compute-engine parses an answer's LaTeX into MathJSON
 * (in a worker: src/symbolic); this module reduces the MathJSON to a fingerprint — its free
 * variables, its exact value when it is a rational constant, its complex values at fixed sample
 * points — and calls two answers equal when their fingerprints agree.
 *
 * Why not compute-engine's own comparison: in 0.27 `isEqual` answers "unknown" both for
 * `(x+1)^2` against `x^2+2x+1` and for `x^2+1` against `x^2-1`, and `N()` turns `\sqrt{x^2}`
 * into `x^2`. Evaluating the tree as parsed at points where the variables take both signs
 * decides polynomial and rational identities (two different ones agree at only finitely many
 * points), keeps `\sqrt{x^2}` ≠ `x` and `\ln(x^2)` ≠ `2\ln x`, and costs one pass over the tree
 * per point. Anything outside the small grammar below is not judged (not equal), so the check can
 * only add equalities it has verified.
 */

/** MathJSON as compute-engine writes it, narrowed to the shapes evaluated here. */
export type MathJson = number | string | { num: string } | MathJson[];

const MAX_LATEX_LENGTH = 200;
const MAX_NESTING = 16;
const MAX_NODES = 256;

/**
 * Cheap checks before anything is parsed: short, balanced, no operator runs, no words. The
 * parser takes exponential time on some inputs (`((((((((((((((((((((x`, a long run of `-`);
 * these never reach it, and the worker's time limit covers whatever else might.
 */
export function worthParsing(latex: string): boolean {
  if (latex === '' || latex.length > MAX_LATEX_LENGTH) return false;
  if (/[+\-*/=<>]{2}|\^\^|__|\|\||&|\\\\|\\(?:begin|end|text)/.test(latex)) return false;
  // Three letters in a row outside a command are a word ("nosolution"), not a product.
  if (/[a-zA-Z]{3}/.test(latex.replace(/\\[a-zA-Z]+/g, ' '))) return false;
  const open: string[] = [];
  for (const ch of latex) {
    if (ch === '(' || ch === '[' || ch === '{') {
      open.push(ch);
      if (open.length > MAX_NESTING) return false;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      const expected = ch === ')' ? '(' : ch === ']' ? '[' : '{';
      if (open.pop() !== expected) return false;
    }
  }
  return open.length === 0;
}

/** Checks and narrows what the parser sent back; null for anything else or anything too large. */
export function toMathJson(value: unknown): MathJson | null {
  let nodes = 0;
  const visit = (node: unknown, depth: number): MathJson | null => {
    nodes += 1;
    if (nodes > MAX_NODES || depth > 2 * MAX_NESTING) return null;
    if (typeof node === 'number' || typeof node === 'string') return node;
    if (Array.isArray(node)) {
      const items: MathJson[] = [];
      for (const item of node) {
        const narrowed = visit(item, depth + 1);
        if (narrowed === null) return null;
        items.push(narrowed);
      }
      return items;
    }
    if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.num === 'string') return { num: record.num };
      if (typeof record.sym === 'string') return record.sym;
      if ('fn' in record) return visit(record.fn, depth);
    }
    return null;
  };
  return visit(value, 0);
}

interface Complex {
  re: number;
  im: number;
}

interface Rational {
  n: bigint;
  /** Always positive. */
  d: bigint;
}

const GREEK = new Set(
  (
    'alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho ' +
    'sigma tau upsilon chi psi omega Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega phi'
  ).split(' '),
);

const CONSTANTS: Record<string, Complex> = {
  Pi: { re: Math.PI, im: 0 },
  ExponentialE: { re: Math.E, im: 0 },
  e: { re: Math.E, im: 0 },
  ImaginaryUnit: { re: 0, im: 1 },
  i: { re: 0, im: 1 },
};

function isVariable(name: string): boolean {
  return (/^[a-zA-Z]$/.test(name) && !(name in CONSTANTS)) || GREEK.has(name);
}

const real = (re: number): Complex => ({ re, im: 0 });
/** Null for an overflow or NaN; −0 becomes 0, or −1 (a negated 1) would have the argument −π. */
const finite = (z: Complex): Complex | null =>
  Number.isFinite(z.re) && Number.isFinite(z.im) ? { re: z.re + 0, im: z.im + 0 } : null;
const modulus = (z: Complex): number => Math.hypot(z.re, z.im);

function add(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

function multiply(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

function divide(a: Complex, b: Complex): Complex | null {
  const scale = b.re * b.re + b.im * b.im;
  if (scale === 0) return null;
  return { re: (a.re * b.re + a.im * b.im) / scale, im: (a.im * b.re - a.re * b.im) / scale };
}

function exp(z: Complex): Complex {
  const size = Math.exp(z.re);
  return z.im === 0 ? real(size) : { re: size * Math.cos(z.im), im: size * Math.sin(z.im) };
}

/** Principal branch. */
function ln(z: Complex): Complex | null {
  if (z.re === 0 && z.im === 0) return null;
  return { re: Math.log(modulus(z)), im: Math.atan2(z.im, z.re) };
}

function power(base: Complex, exponent: Complex): Complex | null {
  if (exponent.im === 0 && Number.isInteger(exponent.re) && Math.abs(exponent.re) <= 1024) {
    if (base.im === 0) return real(base.re ** exponent.re);
    let result: Complex = real(1);
    for (let i = 0; i < Math.abs(exponent.re); i++) result = multiply(result, base);
    return exponent.re < 0 ? divide(real(1), result) : result;
  }
  if (base.im === 0 && base.re > 0 && exponent.im === 0) return real(base.re ** exponent.re);
  if (base.re === 0 && base.im === 0) return exponent.re > 0 ? real(0) : null;
  const log = ln(base);
  return log === null ? null : exp(multiply(exponent, log));
}

/** A real n-th root for odd n (∛-8 = -2, as answers mean it); else the principal power. */
function root(z: Complex, n: Complex): Complex | null {
  if (z.im === 0 && n.im === 0 && Number.isInteger(n.re) && Math.abs(n.re % 2) === 1 && z.re < 0) {
    return real(-((-z.re) ** (1 / n.re)));
  }
  const exponent = divide(real(1), n);
  return exponent === null ? null : power(z, exponent);
}

/** A function of a real argument only; complex arguments are not judged. */
function realOnly(f: (x: number) => number): (z: Complex) => Complex | null {
  return (z) => (z.im === 0 ? real(f(z.re)) : null);
}

function factorial(x: number): number {
  if (!Number.isInteger(x) || x < 0 || x > 170) return Number.NaN;
  let product = 1;
  for (let i = 2; i <= x; i++) product *= i;
  return product;
}

const inDomain = (f: (x: number) => number) => (x: number) => (x < -1 || x > 1 ? Number.NaN : f(x));

const UNARY: Record<string, (z: Complex) => Complex | null> = {
  Negate: (z) => ({ re: -z.re, im: -z.im }),
  Sqrt: (z) => root(z, real(2)),
  Exp: exp,
  Ln: ln,
  Lb: (z) => logarithm(z, real(2)),
  Lg: (z) => logarithm(z, real(10)),
  Abs: (z) => real(modulus(z)),
  Sin: realOnly(Math.sin),
  Cos: realOnly(Math.cos),
  Tan: realOnly(Math.tan),
  Cot: realOnly((x) => 1 / Math.tan(x)),
  Sec: realOnly((x) => 1 / Math.cos(x)),
  Csc: realOnly((x) => 1 / Math.sin(x)),
  Arcsin: realOnly(inDomain(Math.asin)),
  Arccos: realOnly(inDomain(Math.acos)),
  Arctan: realOnly(Math.atan),
  Sinh: realOnly(Math.sinh),
  Cosh: realOnly(Math.cosh),
  Tanh: realOnly(Math.tanh),
  Floor: realOnly(Math.floor),
  Ceil: realOnly(Math.ceil),
  Factorial: realOnly(factorial),
};

const INVERSE: Record<string, string> = { Sin: 'Arcsin', Cos: 'Arccos', Tan: 'Arctan' };

function logarithm(z: Complex, base: Complex): Complex | null {
  const top = ln(z);
  const bottom = ln(base);
  return top === null || bottom === null ? null : divide(top, bottom);
}

/** `2\frac{1}{3}`: a whole number juxtaposed with a proper numeric fraction reads as 7/3. */
function mixedNumber(operands: MathJson[]): [number, number, number] | null {
  if (operands.length !== 2) return null;
  const [whole, fraction] = operands;
  if (typeof whole !== 'number' || !Number.isInteger(whole) || whole < 0) return null;
  if (!Array.isArray(fraction) || fraction[0] !== 'Divide' || fraction.length !== 3) return null;
  const [, numerator, denominator] = fraction;
  if (typeof numerator !== 'number' || typeof denominator !== 'number') return null;
  if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || numerator < 0) return null;
  return numerator < denominator ? [whole, numerator, denominator] : null;
}

/** The operator and operands of a call, with `\sin^{-1}` (an Apply of an inverse) read as arcsin. */
function call(node: MathJson[]): { op: string; args: MathJson[] } | null {
  const [head, ...args] = node;
  if (typeof head !== 'string') return null;
  if (head !== 'Apply') return { op: head, args };
  const [fn, ...rest] = args;
  const name = Array.isArray(fn) && fn[0] === 'InverseFunction' ? fn[1] : undefined;
  const inverse = typeof name === 'string' ? INVERSE[name] : undefined;
  return inverse === undefined ? null : { op: inverse, args: rest };
}

/** The operand arities this module evaluates; any other operator is not judged. */
function arityOk(op: string, count: number): boolean {
  if (op === 'Add' || op === 'Multiply' || op === 'InvisibleOperator') return count >= 1;
  if (['Subtract', 'Divide', 'Rational', 'Power', 'Root'].includes(op)) return count === 2;
  if (op === 'Log') return count === 1 || count === 2;
  if (op === 'Delimiter') return count === 1;
  return op in UNARY && count === 1;
}

/** Collects the free variables; false when the expression is outside what is evaluated here. */
function variablesOf(node: MathJson, found: Set<string>): boolean {
  if (typeof node === 'number') return true;
  if (typeof node === 'string') {
    if (node in CONSTANTS) return true;
    if (!isVariable(node)) return false;
    found.add(node);
    return true;
  }
  if (!Array.isArray(node)) return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(node.num);
  const parts = call(node);
  if (parts === null || !arityOk(parts.op, parts.args.length)) return false;
  return parts.args.every((arg) => variablesOf(arg, found));
}

function evaluate(node: MathJson, at: ReadonlyMap<string, Complex>): Complex | null {
  if (typeof node === 'number') return finite(real(node));
  if (typeof node === 'string') return CONSTANTS[node] ?? at.get(node) ?? null;
  if (!Array.isArray(node)) return finite(real(Number(node.num)));
  const parts = call(node)!;
  const { op, args } = parts;
  if (op === 'InvisibleOperator') {
    const mixed = mixedNumber(args);
    if (mixed) return real(mixed[0] + mixed[1] / mixed[2]);
  }
  const values: Complex[] = [];
  for (const arg of args) {
    const value = evaluate(arg, at);
    if (value === null) return null;
    values.push(value);
  }
  const [a, b] = values as [Complex, Complex];
  let result: Complex | null;
  switch (op) {
    case 'Add':
      result = values.reduce(add);
      break;
    case 'Multiply':
    case 'InvisibleOperator':
      result = values.reduce(multiply);
      break;
    case 'Subtract':
      result = add(a, { re: -b.re, im: -b.im });
      break;
    case 'Divide':
    case 'Rational':
      result = divide(a, b);
      break;
    case 'Power':
      result = power(a, b);
      break;
    case 'Root':
      result = root(a, b);
      break;
    case 'Log':
      result = logarithm(a, values.length === 2 ? b : real(10));
      break;
    case 'Delimiter':
      result = a;
      break;
    default:
      result = UNARY[op]!(a);
  }
  return result === null ? null : finite(result);
}

const MAX_EXACT_BITS = 4096;
const ZERO: Rational = { n: 0n, d: 1n };
const ONE: Rational = { n: 1n, d: 1n };

function bits(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function rational(n: bigint, d: bigint): Rational | null {
  if (d === 0n) return null;
  const sign = d < 0n ? -1n : 1n;
  const divisor = gcd(n, d);
  const r = { n: (sign * n) / divisor, d: (sign * d) / divisor };
  return bits(r.n) > MAX_EXACT_BITS || bits(r.d) > MAX_EXACT_BITS ? null : r;
}

function integerLiteral(node: MathJson): bigint | null {
  if (typeof node === 'number') return Number.isSafeInteger(node) ? BigInt(node) : null;
  if (typeof node === 'object' && !Array.isArray(node) && /^-?\d+$/.test(node.num)) return BigInt(node.num);
  return null;
}

/**
 * The exact value of a constant built from integers by + − × ÷, integer powers and factorials;
 * null for anything else (radicals, decimals, variables) or anything too large. Settles what
 * doubles cannot: 2^{100} against its 31 digits, 10^{-12} against 2·10^{-12}.
 */
function exact(node: MathJson): Rational | null {
  if (!Array.isArray(node)) {
    const integer = integerLiteral(node);
    return integer === null ? null : { n: integer, d: 1n };
  }
  const [op, ...args] = node;
  if (op === 'InvisibleOperator') {
    const mixed = mixedNumber(args);
    if (mixed) return rational(BigInt(mixed[0]) * BigInt(mixed[2]) + BigInt(mixed[1]), BigInt(mixed[2]));
  }
  if (op === 'Factorial') {
    const n = args.length === 1 ? exact(args[0]!) : null;
    if (n === null || n.d !== 1n || n.n < 0n || n.n > 1000n) return null;
    let product = 1n;
    for (let i = 2n; i <= n.n; i++) product *= i;
    return rational(product, 1n);
  }
  const values: Rational[] = [];
  for (const arg of args) {
    const value = exact(arg);
    if (value === null) return null;
    values.push(value);
  }
  const [a, b] = values as [Rational, Rational];
  switch (op) {
    case 'Add':
      return values.reduce<Rational | null>(
        (sum, v) => sum && rational(sum.n * v.d + v.n * sum.d, sum.d * v.d),
        ZERO,
      );
    case 'Multiply':
    case 'InvisibleOperator':
      return values.reduce<Rational | null>(
        (product, v) => product && rational(product.n * v.n, product.d * v.d),
        ONE,
      );
    case 'Negate':
      return values.length === 1 ? { n: -a.n, d: a.d } : null;
    case 'Delimiter':
      return values.length === 1 ? a : null;
    case 'Subtract':
      return values.length === 2 ? rational(a.n * b.d - b.n * a.d, a.d * b.d) : null;
    case 'Divide':
    case 'Rational':
      return values.length === 2 ? rational(a.n * b.d, a.d * b.n) : null;
    case 'Power': {
      if (values.length !== 2 || b.d !== 1n) return null;
      const e = b.n < 0n ? -b.n : b.n;
      if (Math.max(bits(a.n), bits(a.d)) * Number(e) > MAX_EXACT_BITS) return null;
      return b.n < 0n ? rational(a.d ** e, a.n ** e) : rational(a.n ** e, a.d ** e);
    }
    default:
      return null;
  }
}

export interface Fingerprint {
  json: MathJson;
  /** The free variables, sorted. */
  variables: string[];
  /** A decimal was written, so values compare with the tolerance numbers get. */
  approximate: boolean;
  /** The exact value of a rational constant. */
  exact: Rational | null;
  /** Values at the sample points, per set of variables sampled (its names joined). */
  values: Map<string, (Complex | null)[]>;
}

const SAMPLE_POINTS = 8;
const MIN_AGREEING_POINTS = 5;

/**
 * The value of the k-th sampled variable at a sample point: a magnitude in [0.35, 2.5) from a
 * hash of its name and the point, so different variables differ; the sign from bit k of the
 * point, so each variable meets both signs and any three meet every combination of signs.
 */
function sampleValue(name: string, k: number, point: number): number {
  let hash = 2166136261;
  for (const ch of `${name}:${point}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  const magnitude = 0.35 + 2.15 * ((hash >>> 0) / 2 ** 32);
  return ((point >> (k % 3)) & 1) === 0 ? magnitude : -magnitude;
}

/** Values at the sample points with `variables` (a superset of the expression's own) sampled. */
function valuesAt(print: Fingerprint, variables: readonly string[]): (Complex | null)[] {
  const key = variables.join(',');
  let values = print.values.get(key);
  if (values === undefined) {
    values = [];
    const points = variables.length === 0 ? 1 : SAMPLE_POINTS;
    for (let point = 0; point < points; point++) {
      const at = new Map(variables.map((name, k) => [name, real(sampleValue(name, k, point))]));
      values.push(evaluate(print.json, at));
    }
    print.values.set(key, values);
  }
  return values;
}

/** The fingerprint of a parsed answer; null when it falls outside what can be judged. */
export function fingerprint(latex: string, json: MathJson): Fingerprint | null {
  // compute-engine 0.27 parses `2\times10^{-12}` (and `2\cdot10^{-12}`) as 0: a zero read from
  // LaTeX holding a non-zero digit is not trusted, so it is never called equal to 0.
  if (isZero(json) && /[1-9]/.test(latex)) return null;
  const found = new Set<string>();
  if (!variablesOf(json, found)) return null;
  const variables = [...found].sort();
  const print: Fingerprint = {
    json,
    variables,
    approximate: /\d?\.\d/.test(latex),
    exact: variables.length === 0 ? exact(json) : null,
    values: new Map(),
  };
  return valuesAt(print, variables).every((value) => value === null) ? null : print;
}

function isZero(json: MathJson): boolean {
  return json === 0 || (typeof json === 'object' && !Array.isArray(json) && Number(json.num) === 0);
}

const EXACT_TOLERANCE = 1e-10;
const DECIMAL_TOLERANCE = 1e-6;
/** Round-off of an exact cancellation (√3·√3 − 3 is −4.4e-16 in doubles, not 0). */
const ROUND_OFF = 1e-15;

/**
 * Equal fingerprints mean equivalent answers. Both are sampled over the union of their variables,
 * so `\sin^2 x+\cos^2 x` can equal 1 while `x` and `y` differ.
 */
export function fingerprintsEqual(a: Fingerprint, b: Fingerprint): boolean {
  if (a.exact !== null && b.exact !== null) return a.exact.n * b.exact.d === b.exact.n * a.exact.d;
  const variables = [...new Set([...a.variables, ...b.variables])].sort();
  const left = valuesAt(a, variables);
  const right = valuesAt(b, variables);
  // A decimal is an approximation; the same relative tolerance as for plain numbers applies.
  const tolerance = a.approximate || b.approximate ? DECIMAL_TOLERANCE : EXACT_TOLERANCE;
  let agreeing = 0;
  for (let i = 0; i < left.length; i++) {
    const x = left[i] ?? null;
    const y = right[i] ?? null;
    if (x === null && y === null) continue;
    if (x === null || y === null) return false;
    const gap = Math.hypot(x.re - y.re, x.im - y.im);
    if (gap > tolerance * Math.max(modulus(x), modulus(y)) + ROUND_OFF) return false;
    agreeing += 1;
  }
  return agreeing >= Math.min(MIN_AGREEING_POINTS, left.length);
}
