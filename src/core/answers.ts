/**
 * Final answers: extraction from a solution, normalisation and equivalence in the MATH tradition
 * (Hendrycks et al.'s normaliser, extended with numeric comparison and element-wise tuples).
 */

/** Reads a brace-balanced group starting at `open` (which must be `{`); returns its body and end. */
function readBraced(text: string, open: number): { body: string; end: number } | null {
  if (text[open] !== '{') return null;
  let depth = 0;
  // Stryker disable next-line EqualityOperator: one step past the end reads undefined, which is no brace
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i += 1;
      continue;
    }
    if (ch === '{') depth += 1;
    else if (ch === '}') {
      depth -= 1;
      if (depth === 0) return { body: text.slice(open + 1, i), end: i + 1 };
    }
  }
  return null;
}

const BOX_COMMAND = /\\(?:boxed|fbox)(?![a-zA-Z])/g;

/** The content of the last `\boxed{…}` or `\fbox{…}` (nested braces kept), or `\boxed 5`. */
export function lastBoxed(text: string): string | null {
  let found: string | null = null;
  for (const match of text.matchAll(BOX_COMMAND)) {
    let at = match.index + match[0].length;
    while (text[at] === ' ') at += 1;
    if (text[at] === '{') {
      const group = readBraced(text, at);
      if (group) found = group.body.trim();
    } else {
      const bare = /^[^\s$]+/.exec(text.slice(at));
      if (bare && at > match.index + match[0].length) found = bare[0];
    }
  }
  return found;
}

const GSM8K_FINAL = /####\s*([^\n]+)/g;
const ANSWER_PHRASE = /(?:final answer|the answer)\s*(?:is)?\s*:?\s*([^\n]+)/gi;
const NUMBER_TOKEN = /-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\/\d+)?|-?\.\d+/g;

function lastMatch(text: string, pattern: RegExp): string | null {
  let last: string | null = null;
  for (const match of text.matchAll(pattern)) last = match[1] ?? match[0];
  return last;
}

/** Cuts an answer phrase at its sentence end, and drops inline-math delimiters around it. */
function tidyPhrase(phrase: string): string {
  let answer = phrase.split(/\.\s+(?=[A-Z])|\.\s*$/)[0] ?? phrase;
  // Delimiters come off only when they wrap the whole answer: "x = $5$" must not become "x = $5".
  answer = answer
    .trim()
    .replace(/^\\\((.*)\\\)$/, '$1')
    .replace(/^(\$+)(.*)\1$/, '$2');
  return answer.trim();
}

export interface ExtractOptions {
  /** Fall back to the last number in the text; right for problems whose answer is a number. */
  numericFallback?: boolean;
}

export function extractAnswer(text: string, options: ExtractOptions = {}): string | null {
  const boxed = lastBoxed(text);
  if (boxed !== null && boxed !== '') return boxed;
  const gsm = lastMatch(text, GSM8K_FINAL);
  if (gsm !== null && gsm.trim() !== '') return gsm.trim();
  const phrase = lastMatch(text, ANSWER_PHRASE);
  if (phrase !== null) {
    const tidy = tidyPhrase(phrase);
    if (tidy !== '') return tidy;
  }
  if (options.numericFallback ?? true) {
    const numbers = text.match(NUMBER_TOKEN);
    const last = numbers?.[numbers.length - 1];
    if (last) return last;
  }
  return null;
}

/**
 * Replaces `\cmd{body}` by what `replace(body, rest)` returns (`rest`: the text after the group), for
 * every occurrence, nested braces kept. A longer command (`\textbf` when replacing `\text`) or a
 * group cut off before its closing brace is left as it is.
 */
function replaceCommand(s: string, command: string, replace: (body: string, rest: string) => string): string {
  let out = '';
  let at = 0;
  let from = 0;
  for (;;) {
    const start = s.indexOf(command, from);
    if (start === -1) return out + s.slice(at);
    let open = start + command.length;
    while (s[open] === ' ') open += 1;
    const group = readBraced(s, open);
    from = group ? group.end : open;
    if (group) {
      out += s.slice(at, start) + replace(group.body, s.slice(group.end));
      at = group.end;
    }
  }
}

const TEXT_COMMANDS = ['\\text', '\\textbf', '\\textit', '\\mathrm', '\\mathbf', '\\mbox', '\\operatorname'];
const UNIT_WORDS = /^\s*[a-zA-Z]+(?:\s+[a-zA-Z]+){0,2}\s*\.?\s*$/;
const SHORT_LHS = /^[a-zA-Z](?:_\{?\w+\}?)?$/;
// Models box their whole closing sentence: \boxed{\text{The final answer is } 143}.
const ANSWER_PREFIX = /^\s*(?:the\s+)?(?:final\s+)?answer(?:\s+is)?(?:\s*:|\s)/i;
const CHOICE = /^\(([A-Z])\)$/;
const BINOMIAL = /\\binom\{(\d+)\}\{(\d+)\}/g;
const MAX_BINOMIAL_N = 1000;

/** C(n, k) in decimal, exactly; null when n is too large to be worth computing. */
function binomial(n: number, k: number): string | null {
  if (n > MAX_BINOMIAL_N) return null;
  if (k > n) return '0';
  let value = 1n;
  for (let i = 1; i <= k; i++) value = (value * BigInt(n - k + i)) / BigInt(i);
  return value.toString();
}

/** A canonical string for an answer; equal strings mean equivalent answers. */
export function normalizeAnswer(raw: string): string {
  // Math delimiters mean nothing in an answer, wherever they stand ("x = \(5\)"); a row break (two
  // backslashes) is matched first so that it survives. Dollars go further down, with escaped dollars.
  let s = raw.replace(/\\\\|\\[()[\]]/g, (token) => (token === '\\\\' ? token : ' ')).trim();
  s = s.replace(/\\displaystyle/g, '');
  s = s.replace(/\\left(?![a-zA-Z])|\\right(?![a-zA-Z])/g, '');
  // Spacing commands become spaces; a row break (two backslashes) is matched first so it survives.
  s = s.replace(/\\\\|\\[!,;:]|\\ |~/g, (space) => (space === '\\\\' ? space : ' '));
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = s.replace(/\\[dt]binom/g, '\\binom');
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\degree/g, '');
  s = s.replace(/\\%|%/g, '');
  s = s.replace(/\\\$|\$|\\textdollar(?![a-zA-Z])/g, '');
  s = s.replace(/\{,\}/g, ',');

  // A unit in \text{…} after a quantity, last in the answer, is dropped ("5\text{ cm}"); any other
  // \text{…} is content: "2\text{ and }3" is not 23.
  let onlyUnits = true;
  let outside = s;
  let unwrapped = s;
  for (const command of TEXT_COMMANDS) {
    outside = replaceCommand(outside, command, (body, rest) => {
      if (!UNIT_WORDS.test(body) || !/^\s*\.?\s*$/.test(rest)) onlyUnits = false;
      return '';
    });
    unwrapped = replaceCommand(unwrapped, command, (body) => body);
  }
  s = outside.trim() !== '' && onlyUnits ? outside : unwrapped;
  const unprefixed = s.replace(ANSWER_PREFIX, '');
  if (unprefixed.trim() !== '') s = unprefixed;

  const sides = s.split('=');
  if (sides.length === 2 && SHORT_LHS.test(sides[0]!.trim())) s = sides[1]!;

  s = s.trim().replace(/\.$/, '').trim();
  // Words after a number are units: "20 centimeters", "18 dollars".
  s = s.replace(/^(-?[\d.,]+(?:\/\d+)?)\s+(?:[a-zA-Z]{2,}\.?\s*)+$/, '$1');
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s.replace(/\s/g, ''))) s = s.replace(/,/g, '');

  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*\{([^{}]*)\}\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*(\d)\s*\{/g, '\\frac{$1}{');
  s = s.replace(/\\sqrt\s*(\w)/g, '\\sqrt{$1}');
  s = s.replace(/\\binom\s*(\d)\s*(\d)/g, '\\binom{$1}{$2}');
  s = s.replace(/\{\s*(\d+)\s*\\choose\s*(\d+)\s*\}/g, '\\binom{$1}{$2}');
  // A command keeps one space before a letter: "\pi r" must not turn into the unknown "\pir".
  s = s.replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])|\s/g, (_, command: string | undefined) =>
    command === undefined ? '' : `${command} `,
  );
  // A binomial of numbers is its value; inside a larger expression it keeps its own parentheses.
  const whole = s;
  s = s.replace(BINOMIAL, (match: string, n: string, k: string) => {
    const value = binomial(Number(n), Number(k));
    if (value === null) return match;
    return match === whole ? value : `(${value})`;
  });
  s = s.replace(CHOICE, '$1');
  if (/^-?\d+\.\d*$/.test(s)) s = s.replace(/\.?0+$/, '');
  if (s.startsWith('.')) s = `0${s}`;
  if (s.startsWith('-.')) s = `-0${s.slice(1)}`;
  return s;
}

/** The numeric value of a normalised answer, for the forms MATH answers take; null otherwise. */
export function numericValue(normalized: string): number | null {
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)$/.test(normalized)) return Number(normalized);
  const slash = /^([-+]?\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(normalized);
  if (slash) return ratio(Number(slash[1]), Number(slash[2]));
  const frac = /^([-+]?)\\frac\{([-+]?\d+(?:\.\d+)?)\}\{([-+]?\d+(?:\.\d+)?)\}$/.exec(normalized);
  if (frac) {
    const value = ratio(Number(frac[2]), Number(frac[3]));
    return value === null ? null : frac[1] === '-' ? -value : value;
  }
  // A whole number before a proper fraction is a mixed number (2\frac{1}{3} = 7/3), as MATH writes them.
  const mixed = /^([-+]?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$/.exec(normalized);
  if (mixed) {
    const numerator = Number(mixed[3]);
    const denominator = Number(mixed[4]);
    if (numerator >= denominator) return null;
    const value = Number(mixed[2]) + numerator / denominator;
    return mixed[1] === '-' ? -value : value;
  }
  return null;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

const RELATIVE_TOLERANCE = 1e-6;

/** Relative to the numbers' size, so 0.000001 and 0.000002 stay apart. */
function numbersClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

interface Sequence {
  open: string;
  close: string;
  items: string[];
}

/** Splits at a separator (a comma unless told) that is not nested in any bracket. */
function splitTopLevel(s: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  // Stryker disable next-line EqualityOperator: one step past the end reads undefined, which neither opens, closes nor separates
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (depth === 0 && s.startsWith(separator, i)) {
      parts.push(s.slice(start, i));
      i += separator.length - 1;
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

interface Matrix {
  /** Matrices in any brackets are one kind; determinants and norms are kinds of their own. */
  kind: 'matrix' | 'vmatrix' | 'Vmatrix' | 'Bmatrix';
  rows: string[][];
}

const MATRIX_ENVIRONMENT = /^\\begin\{([a-zA-Z]*matrix)\}(.*)\\end\{\1\}$/s;
const BRACKETED_ARRAY = /^[([]\\begin\{array\}\{[^{}]*\}(.*)\\end\{array\}[)\]]$/s;

function asMatrix(normalized: string): Matrix | null {
  let kind: Matrix['kind'];
  let body: string;
  const environment = MATRIX_ENVIRONMENT.exec(normalized);
  const array = BRACKETED_ARRAY.exec(normalized);
  if (environment) {
    const name = environment[1]!;
    if (name === 'vmatrix' || name === 'Vmatrix' || name === 'Bmatrix') kind = name;
    else if (['matrix', 'pmatrix', 'bmatrix', 'smallmatrix'].includes(name)) kind = 'matrix';
    else return null;
    body = environment[2]!;
  } else if (array) {
    kind = 'matrix';
    body = array[1]!;
  } else {
    return null;
  }
  const rows = splitTopLevel(body, '\\\\').map((row) => splitTopLevel(row, '&'));
  // A trailing "\\" closes the last row rather than opening an empty one.
  if (rows.length > 1 && rows[rows.length - 1]!.join('') === '') rows.pop();
  return { kind, rows };
}

function matricesEquivalent(a: Matrix, b: Matrix): boolean {
  return (
    a.kind === b.kind &&
    a.rows.length === b.rows.length &&
    a.rows.every((row, i) => {
      const other = b.rows[i]!;
      return row.length === other.length && row.every((cell, j) => normalizedEquivalent(cell, other[j]!));
    })
  );
}

function asSequence(normalized: string): Sequence | null {
  const set = /^\\\{(.*)\\\}$/.exec(normalized);
  if (set) return { open: '{', close: '}', items: splitTopLevel(set[1]!) };
  const bracketed = /^([([])(.*)([)\]])$/.exec(normalized);
  if (bracketed) {
    const items = splitTopLevel(bracketed[2]!);
    // "(5)" is a number in parentheses, not a one-element tuple.
    if (items.length >= 2) return { open: bracketed[1]!, close: bracketed[3]!, items };
  }
  const bare = splitTopLevel(normalized);
  // Stryker disable next-line StringLiteral: a bare list's delimiters are only ever compared with another bare list's
  return bare.length >= 2 ? { open: '', close: '', items: bare } : null;
}

function normalizedEquivalent(a: string, b: string): boolean {
  if (a === b) return true;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== null && y !== null) return numbersClose(x, y);
  const ma = asMatrix(a);
  const mb = asMatrix(b);
  if (ma || mb) return ma !== null && mb !== null && matricesEquivalent(ma, mb);
  const sa = asSequence(a);
  const sb = asSequence(b);
  if (!sa && !sb) return symbolic?.(a, b) ?? false;
  if (!sa || !sb || sa.open !== sb.open || sa.close !== sb.close || sa.items.length !== sb.items.length) {
    return false;
  }
  // Sets and bare lists ("3, -5": all solutions) compare without order; tuples and intervals in order.
  const ordered = sa.open === '(' || sa.open === '[';
  if (ordered) return sa.items.every((item, i) => normalizedEquivalent(item, sb.items[i]!));
  const unmatched = [...sb.items];
  for (const item of sa.items) {
    const at = unmatched.findIndex((other) => normalizedEquivalent(item, other));
    if (at === -1) return false;
    unmatched.splice(at, 1);
  }
  return true;
}

/**
 * Decides a pair of single expressions (no tuple, set or matrix around them) that the normaliser
 * found different, such as `2\sqrt{2}` and `\sqrt{8}`; it receives normalised answers and must
 * return quickly. The Node entry points install one (src/symbolic/client.ts); where none is
 * installed (the panel) equivalence is the normaliser's alone.
 */
export type SymbolicEquivalence = (a: string, b: string) => boolean;

let symbolic: SymbolicEquivalence | null = null;

export function setSymbolicEquivalence(check: SymbolicEquivalence | null): void {
  symbolic = check;
}

export function answersEquivalent(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return false;
  const na = normalizeAnswer(a);
  const nb = normalizeAnswer(b);
  if (na === '' || nb === '') return false;
  return normalizedEquivalent(na, nb);
}

/** True when a reference answer is a number, so the last-number fallback is a fair extraction. */
export function isNumericAnswer(answer: string): boolean {
  return numericValue(normalizeAnswer(answer)) !== null;
}
