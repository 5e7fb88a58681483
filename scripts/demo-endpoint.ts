/**
 * The demo's local endpoint: the OpenAI chat-completions (plain and streamed) and vLLM `/pooling`
 * wire formats, answering from RECORDED data and a SCRIPT. No model runs here.
 *
 * What is real: the problems and the solutions. They are the ProcessBench rows shipped in
 * `test/fixtures/processbench_sample_40.jsonl` (Qwen team, arXiv 2412.06559, Apache-2.0): problems
 * from GSM8K, MATH, OlympiadBench and Omni-MATH, each solution written by a real model (the row's
 * `generator`) and labelled by people with the index of its first wrong step (`label`, −1 = none).
 * A request to sample solutions of one of those problems gets that problem's recorded solutions,
 * steps joined by blank lines, as a model's answer would arrive (streamed when asked). Three
 * problems have two recorded solutions (one right, one wrong); the others have one. Each recorded
 * solution is served at most once per analysis: a request for more samples than were recorded gets
 * the recorded ones (fewer choices than `n`, as some servers answer), and the single requests that
 * StepLens then sends for the open slots get a 400 saying so. A problem with no recorded solution
 * gets a 400 too: nothing is made up.
 *
 * What is scripted: both judges. Their verdicts are derived from the human label with a seeded,
 * deterministic perturbation (the same row always gets the same verdicts), tuned to behave as the
 * paper StepLens is built around reports (arXiv 2505.11227): mostly right, lenient on hard
 * problems (Self-PRM calls some wrong solutions correct), the two judges sometimes disagreeing and
 * sometimes both wrong.
 *
 * - Self-PRM critiques (`scriptedVerdicts`): each solution gets a disposition from
 *   `seed("critic", id)`. An erroneous solution is *missed* with probability `MISS_SELF[subset]`
 *   (then each critique says −1 with probability 0.8), otherwise each critique names the human
 *   first error with probability 0.8, the next paragraph with 0.1 (late), or −1 with 0.1. A
 *   correct solution draws a *false alarm* with probability `FALSE_ALARM_SELF` (then each critique
 *   flags that one paragraph with probability 0.7), otherwise each critique says −1 with
 *   probability 0.9 and flags a random paragraph otherwise.
 * - PRM step scores (`scriptedPrmScores`), P(right) per step from `seed("prm", id)`: steps before
 *   the human first error 0.82–0.99; the first error 0.03–0.33 and later steps 0.05–0.45; with
 *   probability `MISS_PRM[subset]` the PRM misses the error (it scores 0.55–0.85 and the rest stay
 *   high). A correct solution dips on one random step (0.18–0.46) with probability
 *   `FALSE_ALARM_PRM`. Row `gsm8k-0` gets the real Qwen2.5-Math-PRM-7B scores that vLLM returned
 *   for it (`test/fixtures/vllm_fixture_qwen2_5_math_prm_reward_step.json`).
 *
 * The critique text itself says it is scripted. Point the settings at real servers for real
 * judgements (README).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOLVE_INSTRUCTION } from '../src/llm/sampler.js';
import { isCriticRequest } from '../test/fixtures/scenario.js';
import {
  type ChatReply,
  type ChatRequestBody,
  poolingInputs,
  rewardPairs,
  type ScriptedChoice,
  startStub,
  stepsIn,
} from '../test/fixtures/stubServer.js';
import { ROOT } from '../test/support.js';

export const DEMO_ROWS_FILE = join(ROOT, 'test', 'fixtures', 'processbench_sample_40.jsonl');
const REAL_PRM_FILE = join(ROOT, 'test', 'fixtures', 'vllm_fixture_qwen2_5_math_prm_reward_step.json');

export interface DemoRow {
  id: string;
  generator: string;
  problem: string;
  steps: string[];
  label: number;
  final_answer_correct: boolean;
}

type Subset = 'gsm8k' | 'math' | 'olympiadbench' | 'omnimath';

/** P(Self-PRM misses an erroneous solution's error): low on grade-school problems, high on olympiad ones. */
export const MISS_SELF: Record<Subset, number> = {
  gsm8k: 0.1,
  math: 0.25,
  olympiadbench: 0.45,
  omnimath: 0.45,
};
/** P(the PRM misses an erroneous solution's error). */
export const MISS_PRM: Record<Subset, number> = { gsm8k: 0.1, math: 0.2, olympiadbench: 0.3, omnimath: 0.3 };
export const FALSE_ALARM_SELF = 0.12;
export const FALSE_ALARM_PRM = 0.15;

export function subsetOf(id: string): Subset {
  const prefix = id.split('-')[0];
  return prefix === 'gsm8k' || prefix === 'math' || prefix === 'olympiadbench' ? prefix : 'omnimath';
}

/** A deterministic stream of numbers in [0, 1) for a seed string. */
export function seeded(...parts: (string | number)[]): () => number {
  let state = createHash('sha256').update(parts.join('#')).digest().readUInt32LE(0);
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const between = (random: () => number, low: number, high: number) =>
  Math.round((low + random() * (high - low)) * 1000) / 1000;

/** The verdicts (first wrong paragraph, −1 = none) of the first `k` scripted critiques of a row. */
export function scriptedVerdicts(row: DemoRow, k: number): number[] {
  const steps = row.steps.length;
  const disposition = seeded('critic', row.id);
  if (row.label >= 0) {
    const missed = disposition() < MISS_SELF[subsetOf(row.id)];
    return Array.from({ length: k }, (_, i) => {
      const draw = seeded('critique', row.id, i)();
      if (missed) return draw < 0.8 ? -1 : row.label;
      if (draw < 0.8) return row.label;
      if (draw < 0.9) return Math.min(steps - 1, row.label + 1);
      return -1;
    });
  }
  const alarm = disposition() < FALSE_ALARM_SELF;
  const alarmStep = Math.floor(disposition() * steps);
  return Array.from({ length: k }, (_, i) => {
    const critique = seeded('critique', row.id, i);
    const draw = critique();
    if (alarm) return draw < 0.7 ? alarmStep : -1;
    return draw < 0.9 ? -1 : Math.floor(critique() * steps);
  });
}

let realPrm: number[] | undefined;
function realPrmScores(): number[] {
  realPrm ??= (JSON.parse(readFileSync(REAL_PRM_FILE, 'utf8')) as [number, number][][])[0]!.map(
    ([, right]) => right,
  );
  return realPrm;
}

/** P(right) per step, as the scripted PRM returns them for a row. */
export function scriptedPrmScores(row: DemoRow): number[] {
  if (row.id === 'gsm8k-0') return realPrmScores();
  const random = seeded('prm', row.id);
  const steps = row.steps.length;
  if (row.label >= 0) {
    const missed = random() < MISS_PRM[subsetOf(row.id)];
    return Array.from({ length: steps }, (_, i) => {
      if (i < row.label) return between(random, 0.82, 0.99);
      if (missed) return i === row.label ? between(random, 0.55, 0.85) : between(random, 0.6, 0.95);
      return i === row.label ? between(random, 0.03, 0.33) : between(random, 0.05, 0.45);
    });
  }
  const dip = random() < FALSE_ALARM_PRM ? Math.floor(random() * steps) : -1;
  return Array.from({ length: steps }, (_, i) =>
    i === dip ? between(random, 0.18, 0.46) : between(random, 0.8, 0.99),
  );
}

export function loadDemoRows(file = DEMO_ROWS_FILE): DemoRow[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DemoRow);
}

const normal = (text: string) => text.replace(/\s+/g, ' ').trim();

/** How a recorded solution arrives from the "model": its steps as paragraphs. */
export function solutionText(row: DemoRow): string {
  return row.steps.join('\n\n');
}

/** The recorded solutions of a problem, in a fixed order that does not put the wrong ones first. */
export function solutionsOf(rows: readonly DemoRow[], problem: string): DemoRow[] {
  // The row's problem, whole, in what was asked (a problem file may add a heading).
  const asked = normal(problem);
  return rows
    .filter((row) => asked.includes(normal(row.problem)))
    .sort((a, b) => seeded('order', a.id)() - seeded('order', b.id)());
}

/** The recorded solution a judge request is about: its first and last steps appear in the text. */
function solutionIn(rows: readonly DemoRow[], text: string): DemoRow | undefined {
  const haystack = normal(text);
  return rows.find(
    (row) => haystack.includes(normal(row.steps[0]!)) && haystack.includes(normal(row.steps.at(-1)!)),
  );
}

/** Maps a row's per-step values onto the `sent` steps a client split it into (the same count, normally). */
function resample<T>(values: readonly T[], sent: number): T[] {
  if (sent === values.length) return [...values];
  return Array.from({ length: sent }, (_, i) => values[Math.floor((i * values.length) / sent)]!);
}

function critique(verdict: number, structured: boolean): string {
  const note =
    'StepLens demo: a SCRIPTED critique, derived from the ProcessBench human label with a seeded perturbation. No model wrote this.';
  const reason =
    verdict < 0 ? 'No paragraph contains an error.' : `The first wrong paragraph is paragraph ${verdict}.`;
  if (structured) return JSON.stringify({ first_error_paragraph: verdict, reason: `${note} ${reason}` });
  return `${note}\n\n${reason}\n\n\\boxed{${verdict}}`;
}

function refusal(message: string): ChatReply {
  return { fault: { kind: 'status', status: 400, message: `StepLens demo endpoint: ${message}` } };
}

export interface DemoEndpointOptions {
  port?: number;
  rows?: DemoRow[];
  /** Pauses that make the stream look like a model writing (0 in tests). */
  latencyMs?: number;
  chunkDelayMs?: number;
  /** The clock that groups single requests into one analysis (tests move it by hand). */
  now?: () => number;
}

/**
 * How long after its first request a burst of single requests for the same problem (or the same
 * solution's critiques) counts as one analysis. StepLens sends one request with `n` while the
 * endpoint gives `n` choices; once an endpoint has answered fewer choices than asked (a problem with
 * fewer recorded solutions than samples) it sends `n` single requests, all at once, instead.
 */
export const ANALYSIS_WINDOW_MS = 5000;

/** Counts requests per key within a window: the i-th single request of an analysis gets item i. */
function burstCounter(now: () => number) {
  const bursts = new Map<string, { start: number; count: number }>();
  return {
    /** Starts a burst of which `count` items are already handed out. */
    start(key: string, count: number): void {
      bursts.set(key, { start: now(), count });
    },
    next(key: string): number {
      const burst = bursts.get(key);
      if (burst && now() - burst.start <= ANALYSIS_WINDOW_MS) return burst.count++;
      bursts.set(key, { start: now(), count: 1 });
      return 0;
    },
  };
}

export async function startDemoEndpoint(options: DemoEndpointOptions = {}) {
  const rows = options.rows ?? loadDemoRows();
  const latencyMs = options.latencyMs ?? 0;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const samples = burstCounter(options.now ?? (() => performance.now()));
  const critiques = burstCounter(options.now ?? (() => performance.now()));

  return startStub({
    ...(options.port !== undefined ? { port: options.port } : {}),
    chunkSize: 3,
    chat: (body: ChatRequestBody): ChatReply => {
      const n = body.n ?? 1;
      const prompt = body.messages.map((message) => message.content).join('\n');
      if (isCriticRequest(body)) {
        const row = solutionIn(rows, prompt);
        if (!row)
          return refusal(
            'this solution is not a recorded ProcessBench solution, so it has no scripted critique.',
          );
        const sent = (prompt.match(/<paragraph_\d+>/g) ?? []).length;
        // Critique i of a solution is always the same one: a request for k critiques gets the first k,
        // and the i-th single request of a burst gets critique i.
        const first = n > 1 ? 0 : critiques.next(row.id) % 64;
        const verdicts = scriptedVerdicts(row, first + n)
          .slice(first)
          .map((verdict) =>
            verdict < 0 || sent === row.steps.length ? verdict : Math.min(sent - 1, verdict),
          );
        const structured = body.response_format !== undefined;
        return {
          choices: verdicts.map((verdict) => ({ content: critique(verdict, structured) })),
          latencyMs,
        };
      }
      const user = body.messages.findLast((message) => message.role === 'user')?.content ?? '';
      const problem = user.endsWith(SOLVE_INSTRUCTION) ? user.slice(0, -SOLVE_INSTRUCTION.length) : user;
      const recorded = solutionsOf(rows, problem);
      if (recorded.length === 0) {
        return refusal(
          'no recorded solution of this problem. The demo replays real ProcessBench solutions only for the problems in processbench-40.jsonl; point steplens.policy.baseUrl at a real model for any other.',
        );
      }
      // Each recorded solution at most once per analysis: a request for several gets up to that many
      // (StepLens then asks for the slots left open one by one), the i-th single request solution i.
      const key = normal(problem);
      let served: DemoRow[];
      if (n > 1) {
        served = recorded.slice(0, n);
        samples.start(key, served.length);
      } else {
        const i = samples.next(key);
        if (i >= recorded.length) {
          return refusal(
            `ProcessBench recorded ${recorded.length} solution(s) of this problem (${recorded.map((row) => row.id).join(', ')}), all served already; no more are made up. Ask for at most ${recorded.length} sample(s).`,
          );
        }
        served = [recorded[i]!];
      }
      const choices: ScriptedChoice[] = served.map((row) => ({ content: solutionText(row) }));
      return { choices, latencyMs, chunkDelayMs };
    },
    pooling: (body) => {
      const data = poolingInputs(body).map((input) => {
        const row = solutionIn(rows, input);
        const sent = stepsIn(input);
        // No recorded solution: the scores of a PRM that has nothing to say are a wrong count, which StepLens reports.
        return row ? rewardPairs(resample(scriptedPrmScores(row), sent)) : [];
      });
      return { data, latencyMs };
    },
  });
}
