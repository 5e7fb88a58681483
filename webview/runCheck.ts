/**
 * The light check of a `run/show` message that lets the panel paint before zod has loaded: plain
 * loops over the shapes of src/core/schemas.ts and src/protocol.ts, a few milliseconds for a 4 MB
 * run where zod (its initialisation and its parse) takes 100 ms and more. It is no replacement for
 * zod: it checks every value the panel reads — types, ranges, enums, ids — so nothing unchecked is
 * ever drawn, and host.ts runs the full zod parse right after the first paint and withdraws the run
 * with zod's message when zod refuses it (rules only zod knows: config refinements, URL and date
 * formats, unknown keys of strict objects). Anything this check refuses goes to zod first.
 */
import type { HostMessage } from '../src/protocol.js';

type Show = Extract<HostMessage, { type: 'run/show' }>;
type Obj = Record<string, unknown>;

/** Thrown with the path and what was expected; caught by lightCheckShow. */
class Refused extends Error {}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SAFE_ID_MAX = 128;

function fail(path: string, expected: string): never {
  throw new Refused(`${path}: expected ${expected}`);
}

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object');
  return value as Obj;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array');
  return value;
}

function string(value: unknown, path: string, min = 0): string {
  if (typeof value !== 'string' || value.length < min)
    fail(path, min > 0 ? 'a non-empty string' : 'a string');
  return value;
}

function safeId(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.length > SAFE_ID_MAX || !SAFE_ID.test(value))
    fail(path, 'a safe id');
}

function number(value: unknown, path: string, min = -Infinity, max = Infinity): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    fail(path, `a number in [${min}, ${max}]`);
}

function int(value: unknown, path: string, min = -Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || (value as number) < min) fail(path, `an integer ≥ ${min}`);
}

function oneOf(value: unknown, path: string, values: readonly unknown[]): void {
  if (!values.includes(value)) fail(path, `one of ${values.join(', ')}`);
}

function boolean(value: unknown, path: string): void {
  if (typeof value !== 'boolean') fail(path, 'a boolean');
}

/** An optional field: absent or undefined passes, anything else must pass `check`. */
function opt(obj: Obj, key: string, path: string, check: (value: unknown, path: string) => void): void {
  const value = obj[key];
  if (value !== undefined) check(value, `${path}.${key}`);
}

function nullable(check: (value: unknown, path: string) => void) {
  return (value: unknown, path: string) => {
    if (value !== null) check(value, path);
  };
}

const probability = (value: unknown, path: string) => number(value, path, 0, 1);
const firstError = (value: unknown, path: string) => int(value, path, -1);
const nonNegative = (value: unknown, path: string) => number(value, path, 0);
const index = (value: unknown, path: string) => int(value, path, 0);

function usage(value: unknown, path: string): void {
  const u = object(value, path);
  index(u.promptTokens, `${path}.promptTokens`);
  index(u.completionTokens, `${path}.completionTokens`);
  opt(u, 'reasoningTokens', path, index);
}

function strings(value: unknown, path: string): void {
  const list = array(value, path);
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') fail(`${path}[${i}]`, 'a string');
}

function each(value: unknown, path: string, check: (value: unknown, path: string) => void): void {
  const list = array(value, path);
  for (let i = 0; i < list.length; i++) check(list[i], `${path}[${i}]`);
}

/**
 * Copies of the core's lists: importing them would bring zod's initialisation back onto the first
 * paint's path. A unit test (test/unit/run-check.test.ts) keeps them equal to the core's.
 */
export const LISTS = {
  judgeKinds: ['self-critic', 'self-stepwise', 'vllm-pooling', 'chat-critic', 'rlhflow'],
  runStatuses: ['running', 'complete', 'cancelled'],
  rerankMethods: ['majority', 'prm-best-of-n', 'prm-weighted', 'self-prm'],
  problemFormats: ['text', 'processbench', 'prm800k', 'math', 'gsm8k'],
  whoWasRight: ['self', 'prm', 'both', 'neither'],
  eventTypes: ['stepRating', 'whoWasRight', 'firstError', 'note', 'clear'],
} as const;
const JUDGE_KINDS = LISTS.judgeKinds;
const RUN_STATUSES = LISTS.runStatuses;
const RERANK_METHODS = LISTS.rerankMethods;
const PROBLEM_FORMATS = LISTS.problemFormats;

function judgement(value: unknown, path: string): void {
  const j = object(value, path);
  const scores = array(j.stepScores, `${path}.stepScores`);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i];
    if (score !== null && (typeof score !== 'number' || !(score >= 0 && score <= 1)))
      fail(`${path}.stepScores[${i}]`, 'a probability or null');
  }
  if (j.firstError !== null) firstError(j.firstError, `${path}.firstError`);
  opt(j, 'solutionScore', path, nullable(probability));
  opt(j, 'verdicts', path, (v, p) => each(v, p, nullable(firstError)));
  opt(j, 'raw', path, strings);
  opt(j, 'boxed', path, (v, p) => each(v, p, nullable(string)));
  opt(j, 'prediction', path, nullable(int));
  opt(j, 'unscoredFrom', path, index);
  opt(j, 'latencyMs', path, nonNegative);
  opt(j, 'usage', path, usage);
  opt(j, 'error', path, string);
}

function sample(value: unknown, path: string): void {
  const s = object(value, path);
  index(s.index, `${path}.index`);
  string(s.text, `${path}.text`);
  opt(s, 'reasoning', path, string);
  strings(s.steps, `${path}.steps`);
  nullable(string)(s.answer, `${path}.answer`);
  opt(s, 'correct', path, boolean);
  opt(s, 'finishReason', path, nullable(string));
  opt(s, 'usage', path, usage);
  opt(s, 'latencyMs', path, nonNegative);
  opt(s, 'error', path, string);
  opt(s, 'cancelled', path, (v, p) => oneOf(v, p, [true]));
  const judgements = object(s.judgements, `${path}.judgements`);
  for (const key of Object.keys(judgements)) {
    safeId(key, `${path}.judgements (key ${JSON.stringify(key)})`);
    judgement(judgements[key], `${path}.judgements.${key}`);
  }
}

function problem(value: unknown, path: string): void {
  const p = object(value, path);
  string(p.id, `${path}.id`, 1);
  string(p.text, `${path}.text`, 1);
  opt(p, 'reference', path, string);
  opt(p, 'steps', path, strings);
  opt(p, 'humanFirstError', path, firstError);
  opt(p, 'stepRatings', path, (v, q) =>
    each(
      v,
      q,
      nullable((r, rp) => oneOf(r, rp, [-1, 0, 1])),
    ),
  );
  opt(p, 'finalAnswerCorrect', path, boolean);
  opt(p, 'generator', path, string);
  oneOf(p.format, `${path}.format`, PROBLEM_FORMATS);
  const source = object(p.source, `${path}.source`);
  string(source.file, `${path}.source.file`);
  opt(source, 'row', `${path}.source`, (v, q) => int(v, q, 1));
}

/** Only what the panel reads (τ, the PRMs' ids and τ, the policy's model); zod checks the rest. */
function config(value: unknown, path: string): void {
  const c = object(value, path);
  probability(c.threshold, `${path}.threshold`);
  string(object(c.policy, `${path}.policy`).model, `${path}.policy.model`);
  each(c.prms, `${path}.prms`, (prm, p) => {
    const o = object(prm, p);
    safeId(o.id, `${p}.id`);
    opt(o, 'threshold', p, probability);
  });
}

function rerankPick(value: unknown, path: string): void {
  const r = object(value, path);
  oneOf(r.method, `${path}.method`, RERANK_METHODS);
  opt(r, 'judge', path, safeId);
  nullable(index)(r.sample, `${path}.sample`);
  nullable(string)(r.answer, `${path}.answer`);
  for (const key of ['correct', 'fallback', 'tie']) opt(r, key, path, boolean);
  opt(r, 'unjudged', path, index);
  string(r.rule, `${path}.rule`);
}

function run(value: unknown, path: string): void {
  const r = object(value, path);
  oneOf(r.schemaVersion, `${path}.schemaVersion`, [1]);
  safeId(r.id, `${path}.id`);
  string(r.createdAt, `${path}.createdAt`);
  opt(r, 'finishedAt', path, string);
  oneOf(r.status, `${path}.status`, RUN_STATUSES);
  problem(r.problem, `${path}.problem`);
  config(r.config, `${path}.config`);
  each(r.judges, `${path}.judges`, (judge, p) => {
    const j = object(judge, p);
    safeId(j.id, `${p}.id`);
    oneOf(j.kind, `${p}.kind`, JUDGE_KINDS);
    string(j.model, `${p}.model`);
  });
  each(r.samples, `${path}.samples`, sample);
  opt(r, 'samplingUsage', path, usage);
  each(r.rerank, `${path}.rerank`, rerankPick);
}

function event(value: unknown, path: string): void {
  const e = object(value, path);
  oneOf(e.type, `${path}.type`, LISTS.eventTypes);
  oneOf(e.schemaVersion, `${path}.schemaVersion`, [1]);
  string(e.at, `${path}.at`);
  index(e.sample, `${path}.sample`);
  switch (e.type) {
    case 'stepRating':
      index(e.step, `${path}.step`);
      nullable((v, p) => oneOf(v, p, [-1, 0, 1]))(e.rating, `${path}.rating`);
      break;
    case 'whoWasRight':
      index(e.step, `${path}.step`);
      safeId(e.judge, `${path}.judge`);
      nullable((v, p) => oneOf(v, p, LISTS.whoWasRight))(e.who, `${path}.who`);
      break;
    case 'firstError':
      nullable(firstError)(e.step, `${path}.step`);
      break;
    case 'note':
      opt(e, 'step', path, index);
      string(e.text, `${path}.text`);
      break;
    default:
      opt(e, 'step', path, index);
  }
}

/**
 * The message as the panel may paint it, or why not: then only zod may decide. Untrusted input is
 * read as it is, never copied: a check that passed guarantees the panel reads what was checked.
 */
export function lightCheckShow(value: unknown): { show: Show } | { refused: string } {
  try {
    const m = object(value, 'message');
    oneOf(m.type, 'message.type', ['run/show']);
    run(m.run, 'run');
    each(m.events, 'events', event);
    boolean(m.readOnly, 'readOnly');
    opt(m, 'skipped', 'message', (v, p) => {
      const s = object(v, p);
      string(s.log, `${p}.log`);
      int(s.count, `${p}.count`, 1);
      each(s.lines, `${p}.lines`, (line, q) => {
        const l = object(line, q);
        int(l.line, `${q}.line`, 1);
        string(l.reason, `${q}.reason`);
      });
    });
    opt(m, 'focus', 'message', (v, p) => {
      const f = object(v, p);
      index(f.id, `${p}.id`);
      index(f.sample, `${p}.sample`);
      index(f.step, `${p}.step`);
      opt(f, 'prm', p, string);
    });
    return { show: m as unknown as Show };
  } catch (error) {
    if (error instanceof Refused) return { refused: error.message };
    throw error;
  }
}
