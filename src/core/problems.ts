/**
 * Problem files in every shape StepLens reads, parsed into one Problem type. Pure: the caller
 * reads the file and passes its name (for messages and ids) and its text.
 */
import { z } from 'zod';
import { lastBoxed } from './answers.js';
import { InputError, inputErrorFromZod, jsonInputError } from './errors.js';
import { type JsonSyntaxError, parseJson } from './json.js';

export const PROBLEM_FORMATS = ['text', 'processbench', 'prm800k', 'math', 'gsm8k'] as const;

export const ProblemSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  reference: z.string().optional(),
  /** Steps the row already holds (ProcessBench, PRM800K): these can be scored without sampling. */
  steps: z.array(z.string()).optional(),
  /** The dataset's human label: index of the earliest wrong step, −1 when none. */
  humanFirstError: z.number().int().min(-1).optional(),
  /** PRM800K's per-step human ratings (−1, 0, +1), null where the labeller gave none. */
  stepRatings: z.array(z.union([z.literal(-1), z.literal(0), z.literal(1)]).nullable()).optional(),
  finalAnswerCorrect: z.boolean().optional(),
  generator: z.string().optional(),
  format: z.enum(PROBLEM_FORMATS),
  source: z.object({
    file: z.string(),
    /** 1-based: the line of a JSONL file, or the position in a JSON array. */
    row: z.number().int().positive().optional(),
  }),
});
export type Problem = z.infer<typeof ProblemSchema>;
export type ProblemFormat = Problem['format'];

export const PROBLEM_FILE_EXTENSIONS = ['.md', '.txt', '.json', '.jsonl'] as const;

function extensionOf(fileName: string): string {
  const match = /\.[^./\\]+$/.exec(fileName);
  return match ? match[0].toLowerCase() : '';
}

function baseName(fileName: string): string {
  const last = fileName.split(/[/\\]/).pop() ?? fileName;
  return last.replace(/\.[^.]+$/, '');
}

/**
 * How a file's bad rows are handled: by default the first one fails the whole file; with
 * `onBadRow`, each is handed over (it names file, line or row, and field) and the rest are read.
 */
export interface ParseOptions {
  onBadRow?: (error: InputError) => void;
}

export function parseProblemFile(fileName: string, content: string, options: ParseOptions = {}): Problem[] {
  const extension = extensionOf(fileName);
  switch (extension) {
    case '.md':
    case '.txt':
      return [parseTextProblem(fileName, content)];
    case '.jsonl':
      return parseJsonLines(fileName, content, options);
    case '.json':
      return parseJsonDocument(fileName, content, options);
    default:
      throw new InputError(
        { file: fileName },
        `unsupported file type "${extension || '(none)'}"; StepLens reads ${PROBLEM_FILE_EXTENSIONS.join(', ')}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Markdown and plain text: the whole file is one problem.

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const ANSWER_LINE =
  /^[ \t]*(?:[*_]{2})?(?:reference[ \t]+|final[ \t]+)?answer(?:[*_]{2})?[ \t]*:[ \t]*(?:[*_]{2})?[ \t]*(.*?)[ \t]*$/gim;

function parseTextProblem(fileName: string, content: string): Problem {
  let body = content;
  let reference: string | undefined;
  let id = baseName(fileName);
  const frontMatter = FRONT_MATTER.exec(body);
  if (frontMatter) {
    body = body.slice(frontMatter[0].length);
    for (const line of frontMatter[1]!.split(/\r?\n/)) {
      const pair = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(line);
      if (!pair) continue;
      const key = pair[1]!.toLowerCase();
      const value = pair[2]!.replace(/^(['"])(.*)\1$/, '$2');
      if ((key === 'answer' || key === 'reference') && value !== '') reference = value;
      if (key === 'id' && value !== '') id = value;
    }
  }
  if (reference === undefined) {
    const answers = [...body.matchAll(ANSWER_LINE)].filter((match) => match[1] !== '');
    const last = answers[answers.length - 1];
    if (last) {
      reference = last[1]!.replace(/^\$(.*)\$$/, '$1').trim();
      body = body.slice(0, last.index) + body.slice(last.index + last[0].length);
    }
  }
  const text = body.trim();
  if (text === '') throw new InputError({ file: fileName }, 'the file holds no problem text');
  return {
    id,
    text,
    ...(reference !== undefined ? { reference } : {}),
    format: 'text',
    source: { file: fileName },
  };
}

// ---------------------------------------------------------------------------------------------
// JSON and JSONL rows.

/** One row parsed, or (with `onBadRow`) handed over as bad and left out. */
function readRow(options: ParseOptions, parse: () => Problem): Problem[] {
  if (!options.onBadRow) return [parse()];
  try {
    return [parse()];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    options.onBadRow(error);
    return [];
  }
}

function parseJsonLines(fileName: string, content: string, options: ParseOptions): Problem[] {
  return [...jsonLineRows(fileName, content, options)];
}

/** A JSONL file's rows one at a time, each parsed only when it is asked for. */
function* jsonLineRows(fileName: string, content: string, options: ParseOptions = {}): Generator<Problem> {
  let rows = 0;
  let bad = 0;
  let lineNumber = 0;
  // The lines of content.split(/\r?\n/), without holding them all.
  for (let start = 0; start <= content.length; ) {
    const newline = content.indexOf('\n', start);
    const end = newline === -1 ? content.length : newline;
    const line = content.slice(start, newline !== -1 && content[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    lineNumber += 1;
    let problem: Problem | undefined;
    try {
      problem = problemFromJsonLine(fileName, line, lineNumber);
    } catch (error) {
      if (!options.onBadRow || !(error instanceof InputError)) throw error;
      bad += 1;
      options.onBadRow(error);
      continue;
    }
    if (problem === undefined) continue;
    rows += 1;
    yield problem;
  }
  if (rows === 0 && bad === 0) throw new InputError({ file: fileName }, 'the file holds no rows');
}

/** One line of a JSONL problem file (1-based `lineNumber`); undefined for a blank line. */
export function problemFromJsonLine(fileName: string, line: string, lineNumber: number): Problem | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (error) {
    throw jsonInputError({ file: fileName, line: lineNumber }, error);
  }
  return parseRow(value, { file: fileName, line: lineNumber }, lineNumber);
}

/**
 * parseProblemFile's problems one at a time: a JSONL file's rows are parsed as they are asked for,
 * so a long dataset is never held whole; other files are parsed at once.
 */
export function problemRows(
  fileName: string,
  content: string,
  options: ParseOptions = {},
): Iterable<Problem> {
  return extensionOf(fileName) === '.jsonl'
    ? jsonLineRows(fileName, content, options)
    : parseProblemFile(fileName, content, options);
}

function parseJsonDocument(fileName: string, content: string, options: ParseOptions): Problem[] {
  let value: unknown;
  try {
    value = parseJson(content);
  } catch (error) {
    // parseJson throws only JsonSyntaxError, which knows its line; jsonInputError rethrows anything else.
    throw jsonInputError({ file: fileName, line: (error as JsonSyntaxError).line }, error);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InputError({ file: fileName }, 'the file holds an empty array');
    return value.flatMap((row, index) =>
      readRow(options, () => parseRow(row, { file: fileName, row: index + 1 }, index + 1)),
    );
  }
  return [parseRow(value, { file: fileName }, undefined)];
}

type Where = { file: string; line?: number; row?: number };

const IdSchema = z.union([z.string(), z.number()]).transform(String);
const AnswerSchema = z.union([z.string(), z.number()]).transform(String);

const ProcessBenchRow = z.object({
  id: IdSchema.optional(),
  generator: z.string().optional(),
  problem: z.string().min(1, 'is empty'),
  steps: z.array(z.string()),
  label: z.number().int().min(-1).optional(),
  final_answer_correct: z.boolean().optional(),
});

const Rating = z
  .union([z.literal(-1), z.literal(0), z.literal(1)])
  .nullable()
  .optional();
const Completion = z.object({ text: z.string(), rating: Rating });
const Prm800kRow = z.object({
  id: IdSchema.optional(),
  question: z.object({
    problem: z.string().min(1, 'is empty'),
    ground_truth_answer: AnswerSchema.nullable().optional(),
  }),
  label: z
    .object({
      steps: z.array(
        z.object({
          completions: z.array(Completion).nullable().optional(),
          human_completion: z.object({ text: z.string() }).nullable().optional(),
          chosen_completion: z.number().int().nullable().optional(),
        }),
      ),
      finish_reason: z.string().optional(),
    })
    .optional(),
});

const MathRow = z.object({
  id: IdSchema.optional(),
  problem: z.string().min(1, 'is empty'),
  answer: AnswerSchema.nullable().optional(),
  solution: z.string().optional(),
});

const Gsm8kRow = z.object({
  id: IdSchema.optional(),
  question: z.string().min(1, 'is empty'),
  answer: AnswerSchema.optional(),
});

const ID_FIELDS = ['id', 'unique_id', 'problem_id', 'idx'];

/** MATH/AIME/GSM8K exports disagree on capitalisation ("Problem", "Answer", "ID"); read them alike. */
function lowerCaseKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const lower = key.toLowerCase();
    if (!(lower in out) || key === lower) out[lower] = value;
  }
  const idField = ID_FIELDS.find((field) => out[field] !== undefined && out[field] !== null);
  if (idField) out.id = out[idField];
  return out;
}

function rowId(where: Where, fallbackRow: number | undefined, id: string | undefined): string {
  if (id !== undefined && id !== '') return id;
  const base = baseName(where.file);
  return fallbackRow === undefined ? base : `${base}:${fallbackRow}`;
}

function checked<T>(schema: z.ZodType<T>, value: unknown, where: Where): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw inputErrorFromZod(where, parsed.error);
  return parsed.data;
}

function parseRow(value: unknown, where: Where, rowNumber: number | undefined): Problem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(where, 'a row must be a JSON object');
  }
  const source = { file: where.file, ...(rowNumber !== undefined ? { row: rowNumber } : {}) };
  const raw = value as Record<string, unknown>;

  if (typeof raw.question === 'object' && raw.question !== null) {
    const row = checked(Prm800kRow, raw, where);
    return fromPrm800k(row, rowId(where, rowNumber, row.id), source);
  }
  if ('problem' in raw && 'steps' in raw) {
    const row = checked(ProcessBenchRow, raw, where);
    return {
      id: rowId(where, rowNumber, row.id),
      text: row.problem,
      steps: row.steps,
      ...(row.label !== undefined ? { humanFirstError: row.label } : {}),
      ...(row.final_answer_correct !== undefined ? { finalAnswerCorrect: row.final_answer_correct } : {}),
      ...(row.generator !== undefined ? { generator: row.generator } : {}),
      format: 'processbench',
      source,
    };
  }
  const lower = lowerCaseKeys(raw);
  if ('problem' in lower) {
    const row = checked(MathRow, lower, where);
    const reference = row.answer ?? (row.solution !== undefined ? lastBoxed(row.solution) : null);
    return {
      id: rowId(where, rowNumber, row.id),
      text: row.problem,
      ...(reference !== null && reference !== undefined ? { reference } : {}),
      format: 'math',
      source,
    };
  }
  if ('question' in lower) {
    const row = checked(Gsm8kRow, lower, where);
    const reference = row.answer === undefined ? undefined : gsm8kFinal(row.answer);
    return {
      id: rowId(where, rowNumber, row.id),
      text: row.question,
      ...(reference !== undefined ? { reference } : {}),
      format: 'gsm8k',
      source,
    };
  }
  throw new InputError(
    where,
    'no problem text: looked for the fields "problem" (ProcessBench, MATH, AIME), "question.problem" (PRM800K) and "question" (GSM8K)',
  );
}

/** GSM8K answers are a worked solution ending in "#### 42"; a bare value is taken as it is. */
function gsm8kFinal(answer: string): string {
  const marker = answer.lastIndexOf('####');
  const final = marker === -1 ? answer : answer.slice(marker + 4);
  return final.trim().replace(/,(?=\d{3}\b)/g, '');
}

function fromPrm800k(row: z.infer<typeof Prm800kRow>, id: string, source: Problem['source']): Problem {
  const steps: string[] = [];
  const ratings: (-1 | 0 | 1 | null)[] = [];
  for (const step of row.label?.steps ?? []) {
    const completions = step.completions ?? [];
    const chosen = step.chosen_completion;
    // The labeller's pick, else their own rewrite, else (an error ended the labelling) the rejected one.
    const taken =
      (chosen !== null && chosen !== undefined ? completions[chosen] : undefined) ??
      (step.human_completion ? { text: step.human_completion.text, rating: null } : undefined) ??
      completions.find((completion) => completion.rating === -1) ??
      completions[0];
    if (!taken) continue;
    steps.push(taken.text);
    ratings.push(taken.rating ?? null);
  }
  const firstNegative = ratings.indexOf(-1);
  // No −1 is "no error" only where the labeller reached the end; a row they gave up on (give_up,
  // bad_problem) has no first-error label at all.
  const finish = row.label?.finish_reason;
  const label =
    firstNegative !== -1 || finish === undefined || finish === 'solution' ? firstNegative : undefined;
  const reference = row.question.ground_truth_answer;
  return {
    id,
    text: row.question.problem,
    ...(reference !== null && reference !== undefined ? { reference } : {}),
    ...(steps.length > 0
      ? { steps, stepRatings: ratings, ...(label !== undefined ? { humanFirstError: label } : {}) }
      : {}),
    format: 'prm800k',
    source,
  };
}
