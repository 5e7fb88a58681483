/**
 * TeX answers as plain text, for where markup cannot go: a select's options are text only (no
 * KaTeX), so `\frac{7}{3}` is shown as 7/3, `2\sqrt{3}` as 2√3, `x^{2}` as x², `45^\circ` as 45°.
 * Only the commands answers use are known; an unknown command is left as written (with its
 * braces), so nothing is silently lost. Pure (no DOM): unit-tested in Node.
 */

/**
 * "a α b β" as { a: 'α', b: 'β' } (strings, not object literals: a third of the size in the
 * panel's bundle). No prototype: `\constructor` is no known command.
 */
function pairs(list: string): Record<string, string> {
  const words = list.split(' ');
  const table: Record<string, string> = Object.create(null);
  for (let i = 0; i < words.length; i += 2) table[words[i]!] = words[i + 1]!;
  return table;
}

/** Each character of `from` to the one at its place in `to`. */
function zip(from: string, to: string): Record<string, string> {
  const targets = [...to];
  const table: Record<string, string> = Object.create(null);
  [...from].forEach((char, i) => {
    table[char] = targets[i]!;
  });
  return table;
}

/** Name and sign, in pairs. */
const SYMBOLS = pairs(
  'pi π infty ∞ cdot · times × div ÷ pm ± mp ∓ le ≤ leq ≤ ge ≥ geq ≥ ne ≠ neq ≠ approx ≈ ' +
    'equiv ≡ sim ∼ in ∈ notin ∉ cup ∪ cap ∩ subset ⊂ subseteq ⊆ emptyset ∅ varnothing ∅ to → ' +
    'rightarrow → Rightarrow ⇒ implies ⇒ iff ⇔ ldots … dots … cdots ⋯ angle ∠ triangle △ perp ' +
    '⊥ parallel ∥ circ ∘ degree ° prime ′ mid | vert | lvert | rvert | langle ⟨ rangle ⟩ ' +
    'lfloor ⌊ rfloor ⌋ lceil ⌈ rceil ⌉ textdollar $ alpha α beta β gamma γ delta δ epsilon ε ' +
    'varepsilon ε zeta ζ eta η theta θ vartheta ϑ iota ι kappa κ lambda λ mu μ nu ν xi ξ rho ' +
    'ρ sigma σ tau τ upsilon υ phi φ varphi φ chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ ' +
    'Lambda Λ Xi Ξ Pi Π Sigma Σ Phi Φ Psi Ψ Omega Ω',
);

/** Written as their name: sin x, log 2. */
const FUNCTIONS = new Set(
  'sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh ln log exp lg max min gcd lcm lim det deg mod'.split(
    ' ',
  ),
);

/** Their argument is shown as it is: fonts, boxes and text. */
const WRAPPERS = new Set(
  'text textrm textbf textit textnormal textsf texttt mbox mathrm mathbf mathit mathsf mathtt mathcal boldsymbol operatorname boxed fbox'.split(
    ' ',
  ),
);

/** Size and style switches that draw nothing themselves. */
const SILENT = new Set(
  'displaystyle textstyle scriptstyle limits nolimits big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr'.split(
    ' ',
  ),
);

const SPACES = new Set([',', ';', ':', ' ', 'quad', 'qquad', 'enspace', 'thinspace']);

const ESCAPED = new Set(['%', '$', '&', '#', '_', '{', '}']);

const DOUBLE_STRUCK = zip('RZNQC', 'ℝℤℕℚℂ');

/** Matrices and the like: their delimiters; cells joined by ", ", rows by "; ". */
const ENVIRONMENTS: Record<string, [string, string] | undefined> = {
  pmatrix: ['(', ')'],
  bmatrix: ['[', ']'],
  Bmatrix: ['{', '}'],
  vmatrix: ['|', '|'],
  Vmatrix: ['‖', '‖'],
};

const SUPERSCRIPT = zip('0123456789+-=()ni', '⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ');

const SUBSCRIPT = zip('0123456789+-=()aeoxijknm', '₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓᵢⱼₖₙₘ');

/** A numerator needing no parentheses: 7, 2x, 9π, 2√3, √(x+1). */
const PLAIN_NUMERATOR = /^-?(?:[\p{L}\p{N}.′²³¹⁰-⁹]+|[\p{L}\p{N}.]*√(?:[\p{L}\p{N}.]+|\([^()]*\)))$/u;
/** A denominator needing none: one number, one letter, or a root (2x must read 1/(2x)). */
const PLAIN_DENOMINATOR = /^(?:\d+(?:\.\d+)?|\p{L}|√(?:[\p{L}\p{N}.]+|\([^()]*\)))$/u;
/** What a radicand may be without parentheses: √2, √x, √12. */
const PLAIN_RADICAND = /^(?:\d+(?:\.\d+)?|\p{L}+)$/u;

class Reader {
  at = 0;
  constructor(readonly source: string) {}

  get done(): boolean {
    return this.at >= this.source.length;
  }

  peek(): string {
    return this.source[this.at] ?? '';
  }

  skipSpaces(): void {
    while (/\s/.test(this.peek())) this.at++;
  }

  /** After a backslash: a control word (letters) or one other character. */
  commandName(): string {
    const start = this.at;
    if (/[a-zA-Z]/.test(this.peek())) {
      while (/[a-zA-Z]/.test(this.peek())) this.at++;
      return this.source.slice(start, this.at);
    }
    this.at++;
    return this.source.slice(start, this.at);
  }

  /** The next command's name without moving (for what follows a fraction). */
  peekCommand(): string {
    const at = this.at;
    this.skipSpaces();
    let name = '';
    if (this.peek() === '\\') {
      this.at++;
      name = this.commandName();
    }
    this.at = at;
    return name;
  }
}

/** `tex` as plain text a person reads as the formula (7/3, √2, x², π); plain text stays as it is. */
export function texToText(tex: string): string {
  const reader = new Reader(tex);
  return tidy(sequence(reader, false));
}

function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/([([]) /g, '$1')
    .replace(/ ([)\],;])/g, '$1')
    .trim();
}

/** Text up to the end, or up to the `}` closing the group when `inGroup`. */
function sequence(reader: Reader, inGroup: boolean): string {
  let out = '';
  while (!reader.done) {
    const char = reader.peek();
    if (char === '}') {
      reader.at++;
      if (inGroup) return out;
      out += '}';
    } else if (char === '{') {
      reader.at++;
      out += sequence(reader, true);
    } else if (char === '\\') {
      reader.at++;
      out = command(reader, out);
    } else if (char === '^' || char === '_') {
      reader.at++;
      out += script(argument(reader), char);
    } else if (char === '$') reader.at++;
    else if (char === '&') {
      reader.at++;
      out += ', ';
    } else if (char === '~') {
      reader.at++;
      out += ' ';
    } else {
      reader.at++;
      out += char;
    }
  }
  return out;
}

/** One argument: a braced group, a command, or one character (\frac12, \sqrt2). */
function argument(reader: Reader): string {
  reader.skipSpaces();
  const char = reader.peek();
  if (char === '') return '';
  reader.at++;
  if (char === '{') return sequence(reader, true);
  if (char === '\\') return command(reader, '');
  return char;
}

/** The raw text of a braced argument (an environment's name). */
function rawArgument(reader: Reader): string {
  reader.skipSpaces();
  if (reader.peek() !== '{') return '';
  const end = reader.source.indexOf('}', reader.at);
  if (end === -1) return '';
  const raw = reader.source.slice(reader.at + 1, end);
  reader.at = end + 1;
  return raw;
}

/** `out` with the command after a backslash (already read) added. */
function command(reader: Reader, out: string): string {
  const name = reader.commandName();
  const word = /^[a-zA-Z]/.test(name);
  const before = reader.at;
  // TeX drops the spaces after a control word: "\pi r" is πr.
  if (word) reader.skipSpaces();
  const spaced = reader.at > before;
  if (name in SYMBOLS) {
    const symbol = SYMBOLS[name]!;
    // A relation keeps the spaces written round it (x ∈ [0, 1]); a letter such as π joins (2πr).
    return out + symbol + (spaced && /\s$/.test(out) && !/\p{L}/u.test(symbol) ? ' ' : '');
  }
  if (ESCAPED.has(name)) return out + name;
  if (SPACES.has(name)) return `${out} `;
  if (name === '\\') return `${out}; `;
  if (name === '!' || SILENT.has(name)) return out;
  if (name === 'left' || name === 'right') {
    // \left. is no delimiter at all.
    if (reader.peek() === '.') reader.at++;
    return out;
  }
  if (FUNCTIONS.has(name)) return `${out}${name}${/[\p{L}\p{N}\\]/u.test(reader.peek()) ? ' ' : ''}`;
  if (WRAPPERS.has(name)) return out + argument(reader);
  if (name === 'mathbb') {
    const letter = argument(reader);
    return out + (DOUBLE_STRUCK[letter] ?? letter);
  }
  if (name === 'frac' || name === 'dfrac' || name === 'tfrac' || name === 'cfrac') {
    const numerator = argument(reader);
    const denominator = argument(reader);
    let fraction = `${PLAIN_NUMERATOR.test(numerator) ? numerator : `(${numerator})`}/${
      PLAIN_DENOMINATOR.test(denominator) ? denominator : `(${denominator})`
    }`;
    // Something multiplied by the fraction after it: (1/2)x, not 1/2x.
    if (joinsNext(reader)) fraction = `(${fraction})`;
    // A whole number before a fraction is a mixed number: 2 1/3, not 21/3.
    return /\d$/.test(out) ? `${out} ${fraction}` : out + fraction;
  }
  if (name === 'sqrt') {
    let root = '√';
    reader.skipSpaces();
    if (reader.peek() === '[') {
      const end = reader.source.indexOf(']', reader.at);
      if (end !== -1) {
        const index = texToText(reader.source.slice(reader.at + 1, end));
        reader.at = end + 1;
        root = index === '3' ? '∛' : index === '4' ? '∜' : `${script(index, '^')}√`;
      }
    }
    const radicand = argument(reader);
    return out + root + (PLAIN_RADICAND.test(radicand) ? radicand : `(${radicand})`);
  }
  if (name === 'binom' || name === 'dbinom' || name === 'tbinom') {
    const n = argument(reader);
    const k = argument(reader);
    return `${out}C(${n}, ${k})`;
  }
  if (name === 'begin' || name === 'end') {
    const environment = rawArgument(reader);
    // An array's column spec is layout, not content.
    if (name === 'begin' && environment === 'array') rawArgument(reader);
    const delimiters = Object.hasOwn(ENVIRONMENTS, environment) ? ENVIRONMENTS[environment] : undefined;
    if (name === 'begin') reader.skipSpaces();
    else out = out.trimEnd();
    return out + (delimiters ? delimiters[name === 'begin' ? 0 : 1] : '');
  }
  // Unknown: left as written, its braced arguments too, so that what it said is still there.
  let unknown = `\\${name}`;
  while (reader.peek() === '{') {
    reader.at++;
    unknown += `{${sequence(reader, true)}}`;
  }
  return out + unknown + (spaced && unknown.length === name.length + 1 ? ' ' : '');
}

/** Whether what follows a fraction would read as part of its denominator (x, 2, (, π, √). */
function joinsNext(reader: Reader): boolean {
  const at = reader.at;
  reader.skipSpaces();
  const next = reader.peek();
  reader.at = at;
  if (/[\p{L}\p{N}(]/u.test(next)) return true;
  if (next !== '\\') return false;
  const name = reader.peekCommand();
  return (
    name === 'sqrt' ||
    name === 'frac' ||
    name === 'dfrac' ||
    (/^[a-zA-Z]+$/.test(name) && /\p{L}/u.test(SYMBOLS[name] ?? ''))
  );
}

/** A superscript or subscript: in Unicode's small figures when it has them, else ^(…) / _(…). */
function script(text: string, mark: '^' | '_'): string {
  if (mark === '^' && (text === '∘' || text === '°')) return '°';
  if (mark === '^' && (text === '′' || text === "'")) return '′';
  const table = mark === '^' ? SUPERSCRIPT : SUBSCRIPT;
  const chars = [...text];
  if (chars.length > 0 && chars.every((char) => char in table))
    return chars.map((char) => table[char]).join('');
  return chars.length === 1 ? `${mark}${text}` : `${mark}(${text})`;
}
