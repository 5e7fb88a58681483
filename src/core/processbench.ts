/**
 * ProcessBench's scoring rules, so a StepLens figure with a published counterpart is computed the
 * published way (QwenLM/ProcessBench, code/run_eval.py and code/run_eval_prm_rlhflow.py):
 *
 * - the critic prompt is the user's template file, stripped, filled the Python `str.format` way
 *   with `{problem}` and `{tagged_response}` (`<paragraph_i>` blocks);
 * - a critique's prediction is what follows its last `\boxed{` up to the first `}`, stripped;
 * - with several critiques, the unextractable ones are dropped, the most common string wins and a
 *   tie goes to the one seen first in critique order; a winner that is not an integer is no
 *   prediction;
 * - a row matches when its prediction equals its label; no prediction, a failed request and an
 *   index beyond the last step are misses and stay in the denominator;
 * - error accuracy is over rows with label ≠ −1, correct accuracy over rows with label −1, F1 their
 *   harmonic mean; the average is the plain mean of the subsets' F1.
 */
import { processBenchF1 } from './metrics.js';
import type { Judgement } from './schemas.js';

/** Critique template texts by judge id (`self`, or a chat-critic PRM's id), as the user's files hold them. */
export type CritiqueTemplates = Readonly<Record<string, string>>;

/** The placeholders a critique template fills; both must appear, or the critic would not see the row. */
export const TEMPLATE_FIELDS = ['problem', 'tagged_response'] as const;

/** Why a template cannot be used (unbalanced braces, unknown or missing placeholders); null when it can. */
export function templateProblem(template: string): string | null {
  try {
    fillTemplate(template, Object.fromEntries(TEMPLATE_FIELDS.map((field) => [field, ''])));
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  const missing = TEMPLATE_FIELDS.filter((field) => !placeholders(template).has(field));
  return missing.length === 0
    ? null
    : `the template never uses ${missing.map((field) => `{${field}}`).join(' or ')}: the critic would not see the row`;
}

/** The `{name}` fields of a template, skipping `{{` and `}}` escapes. */
function placeholders(template: string): Set<string> {
  const names = new Set<string>();
  for (const match of template.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g))
    if (match[1] !== undefined) names.add(match[1]);
  return names;
}

/** The solution as ProcessBench shows it to a critic: one tagged block per step, indexed from 0. */
export function taggedResponse(steps: readonly string[]): string {
  return steps
    .map((step, index) => `<paragraph_${index}>\n${step}\n</paragraph_${index}>\n\n`)
    .join('')
    .trim();
}

export class TemplateError extends Error {}

/**
 * Python's `template.strip().format(**values)` for named fields: `{{` and `}}` are literal braces,
 * `{name}` is replaced by its value as it is (braces inside values are not read again). Anything
 * else Python would reject (an unknown or positional field, a lone brace, a conversion or format
 * spec) is an error naming it, so a template never silently sends a prompt with a hole in it.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const text = template.trim();
  let out = '';
  let at = 0;
  while (at < text.length) {
    const ch = text[at]!;
    if (ch === '{' && text[at + 1] === '{') {
      out += '{';
      at += 2;
    } else if (ch === '}' && text[at + 1] === '}') {
      out += '}';
      at += 2;
    } else if (ch === '{') {
      const close = text.indexOf('}', at);
      if (close === -1)
        throw new TemplateError(
          `a "{" at character ${at + 1} is never closed (write "{{" for a literal brace)`,
        );
      const field = text.slice(at + 1, close);
      if (!Object.hasOwn(values, field)) {
        const known = Object.keys(values)
          .map((name) => `{${name}}`)
          .join(', ');
        throw new TemplateError(
          `unknown placeholder "{${field}}" at character ${at + 1}: the template may use ${known} (write "{{" and "}}" for literal braces)`,
        );
      }
      out += values[field];
      at = close + 1;
    } else if (ch === '}') {
      throw new TemplateError(`a single "}" at character ${at + 1} (write "}}" for a literal brace)`);
    } else {
      out += ch;
      at += 1;
    }
  }
  return out;
}

/** The critic prompt for one row, as ProcessBench builds it. */
export function critiquePrompt(template: string, problem: string, steps: readonly string[]): string {
  return fillTemplate(template, { problem, tagged_response: taggedResponse(steps) });
}

const FLAT_BOXED = /\\boxed\{([^}]*)\}/g;

/** The published regex `\\boxed\{([^}]*)\}`: the last match's content up to its first `}`, stripped; null when none. */
export function lastFlatBoxed(text: string): string | null {
  let last: string | null = null;
  for (const match of text.matchAll(FLAT_BOXED)) last = match[1]!;
  return last === null ? null : last.trim();
}

/**
 * Python's `int(text)` on a decimal string ("3", " -1 ", "+2", "007", "1_0", and any script's
 * decimal digits: "٣", "１２"); null when it would raise.
 */
export function pythonInt(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?\p{Nd}+(?:_\p{Nd}+)*$/u.test(trimmed)) return null;
  let digits = '';
  for (const char of trimmed.replace(/_/g, ''))
    digits += /\p{Nd}/u.test(char) ? String(digitValue(char)) : char;
  return Number(digits);
}

/**
 * A decimal digit's value in any script. Unicode keeps every script's digits 0–9 in one run of
 * consecutive code points, so the value is the distance from the run's start, modulo 10.
 */
function digitValue(char: string): number {
  const code = char.codePointAt(0)!;
  let start = code;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start -= 1;
  return (code - start) % 10;
}

/**
 * The first-error prediction of one row from its critiques, in critique order (the i-th choice or
 * the i-th request, never completion order); a failed critique is null. One critique: greedy.
 */
export function critiquePrediction(critiques: readonly (string | null)[]): number | null {
  const counts = new Map<string, number>();
  for (const critique of critiques) {
    const boxed = critique === null ? null : lastFlatBoxed(critique);
    if (boxed !== null) counts.set(boxed, (counts.get(boxed) ?? 0) + 1);
  }
  let winner: string | null = null;
  let best = 0;
  // Map keeps first-seen order and only a strictly larger count displaces: ties go to the first seen.
  for (const [value, count] of counts) {
    if (count > best) {
      winner = value;
      best = count;
    }
  }
  return winner === null ? null : pythonInt(winner);
}

/**
 * One row's judgement from its critiques by ProcessBench's rules. The prediction is kept as it is,
 * also when no step has that index (a miss); the panel's first error and step scores use only
 * indices that exist (step scores: the share of in-range critiques that leave the step unflagged).
 */
export function processBenchJudgement(
  critiques: readonly string[],
  stepCount: number,
): Omit<Judgement, 'raw' | 'latencyMs'> {
  const inRange = (index: number | null) =>
    index !== null && index >= -1 && index < stepCount ? index : null;
  const boxed = critiques.map(lastFlatBoxed);
  const prediction = critiquePrediction(critiques);
  const verdicts = boxed.map((text) => inRange(text === null ? null : pythonInt(text)));
  const firstError = inRange(prediction);
  const common = { verdicts, boxed, prediction };
  if (firstError === null) {
    return {
      ...common,
      stepScores: Array.from({ length: stepCount }, () => null),
      firstError: null,
      error:
        prediction === null
          ? `no prediction: no integer won among the last \\boxed{} of ${critiques.length} critique(s)`
          : `the prediction ${prediction} names no step (the solution has ${stepCount}, indexed from 0)`,
    };
  }
  const valid = verdicts.filter((verdict): verdict is number => verdict !== null);
  return {
    ...common,
    stepScores: Array.from(
      { length: stepCount },
      (_, step) => valid.filter((verdict) => verdict === -1 || verdict > step).length / valid.length,
    ),
    firstError,
  };
}

/**
 * A score judge's first error at τ: its first step scored below τ (equal is not wrong), −1 when
 * none is. An unscored step before any wrong one leaves the answer unknown: no prediction.
 */
export function firstStepBelow(stepScores: readonly (number | null)[], threshold: number): number | null {
  for (let step = 0; step < stepScores.length; step++) {
    const score = stepScores[step];
    if (score === null || score === undefined) return null;
    if (score < threshold) return step;
  }
  return -1;
}

export interface RowOutcome {
  /** The row's first error, −1 when it has none. */
  label: number;
  /** The judge's first error; null when it gave none (no boxed integer, unscored steps, failure). */
  prediction: number | null;
  /** The judge's request failed on this row (a miss, counted here too). */
  failed?: boolean;
}

export interface SubsetScore {
  n: number;
  /** Share of rows with an error (label ≠ −1) whose exact first error was predicted; null without such rows. */
  errorAccuracy: number | null;
  /** Share of rows without an error whose prediction is −1; null without such rows. */
  correctAccuracy: number | null;
  /** Harmonic mean of the two (0 when both are 0); null when either is. */
  f1: number | null;
  /** Rows whose judge request failed: misses, never dropped. */
  failed: number;
  /** Rows where the judge answered but gave no prediction (no boxed integer, an unscored step): misses too. */
  noPrediction: number;
}

export function subsetScore(rows: readonly RowOutcome[]): SubsetScore {
  const score = processBenchF1(
    rows.map(({ label, prediction, failed }) => ({ label, prediction: failed ? null : prediction })),
  );
  return {
    n: score.n,
    errorAccuracy: score.acc_erroneous,
    correctAccuracy: score.acc_correct,
    f1: score.f1,
    failed: rows.filter((row) => row.failed).length,
    noPrediction: rows.filter((row) => !row.failed && row.prediction === null).length,
  };
}

/** The paper's "average" column: the plain mean of the subsets' F1; null when any subset has none. */
export function averageF1(scores: readonly SubsetScore[]): number | null {
  if (scores.length === 0 || scores.some((score) => score.f1 === null)) return null;
  return scores.reduce((sum, score) => sum + score.f1!, 0) / scores.length;
}

/**
 * A row's subset: its own `subset` field, else the source file's name stem (ProcessBench ships
 * gsm8k.json, math.json, olympiadbench.json, omnimath.json), else the id before its last "-".
 */
export function subsetOf(row: { subset?: string; id?: string }, fileName: string | undefined): string {
  if (row.subset) return row.subset;
  const stem = fileName
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/\.(jsonl|json)$/i, '');
  if (stem) return stem;
  const id = row.id ?? '';
  const dash = id.lastIndexOf('-');
  return dash > 0 ? id.slice(0, dash) : 'all';
}

export interface ScoredRow {
  label: number;
  stepScores: readonly (number | null)[];
  failed?: boolean;
}

/**
 * The τ that maximises F1 on the given rows (ProcessBench picks it on GSM8K), among the distinct
 * step scores (τ = a score s marks every step below s wrong; every partition is one of these) and
 * 1; the smallest such τ on a tie. Null when no rows or no F1.
 */
export function bestThreshold(rows: readonly ScoredRow[]): { threshold: number; score: SubsetScore } | null {
  const candidates = new Set<number>([1]);
  for (const row of rows) for (const score of row.stepScores) if (score !== null) candidates.add(score);
  let best: { threshold: number; score: SubsetScore } | null = null;
  for (const threshold of [...candidates].sort((a, b) => a - b)) {
    const score = scoreAt(rows, threshold);
    if (score.f1 !== null && (best === null || score.f1 > best.score.f1!)) best = { threshold, score };
  }
  return best;
}

/** The rows' subset score when a score judge is read at τ. */
export function scoreAt(rows: readonly ScoredRow[], threshold: number): SubsetScore {
  return subsetScore(
    rows.map((row) => ({
      label: row.label,
      prediction: row.failed ? null : firstStepBelow(row.stepScores, threshold),
      ...(row.failed ? { failed: true } : {}),
    })),
  );
}
