/**
 * Judges that read one token's probability: Self-PRM stepwise (P("Yes") that a step is correct)
 * and RLHFlow-style PRMs (P("+") after each step in a multi-turn chat).
 *
 * Reasoning models open with `<think>` (or return `reasoning_content` / `reasoning`) instead of
 * answering: for them stepwise lets the model reason (up to the Self-PRM's maxTokens) and reads
 * P("Yes") at the first Yes/No token of the answer after the reasoning.
 */

import { requireScoredStep } from '../core/judgements.js';
import { firstErrorFromScores } from '../core/metrics.js';
import type { Judgement } from '../core/schemas.js';
import { fitSteps } from './budget.js';
import {
  addUsage,
  type ChatChoice,
  type ChatEndpoint,
  type ChatMessage,
  type ChatRequest,
  type ChatUsage,
  type TokenLogprob,
} from './chat.js';
import { EndpointError } from './errors.js';

/**
 * P(good) / (P(good) + P(bad)) over the first generated token's alternatives; null when neither
 * appears among them. Token spellings vary (" Yes", "yes", "YES"), so they are matched loosely.
 */
export function binaryProbability(
  logprobs: readonly TokenLogprob[],
  good: RegExp,
  bad: RegExp,
): number | null {
  const first = logprobs[0];
  if (!first) return null;
  const alternatives = first.top.length > 0 ? first.top : [{ token: first.token, logprob: first.logprob }];
  let pGood = 0;
  let pBad = 0;
  for (const { token, logprob } of alternatives) {
    if (good.test(token)) pGood += Math.exp(logprob);
    else if (bad.test(token)) pBad += Math.exp(logprob);
  }
  return pGood + pBad === 0 ? null : pGood / (pGood + pBad);
}

const YES = /^\s*yes\b/i;
const NO = /^\s*no\b/i;
const PLUS = /^\s*\+\s*$/;
const MINUS = /^\s*-\s*$/;

function missingLogprobs(endpoint: ChatEndpoint): EndpointError {
  return new EndpointError(
    `${endpoint.label} returned no logprobs; this judge needs an endpoint that does`,
    // Stryker disable next-line BooleanLiteral: thrown outside the retry loop; nothing reads `retryable`
    false,
  );
}

const USE_CRITIC = 'stepwise mode does not apply to this model: use selfJudge.mode "critic"';

function reasoningWithoutLogprobs(endpoint: ChatEndpoint): EndpointError {
  return new EndpointError(
    `${endpoint.label} reasons before answering and returned no logprobs for its answer; ${USE_CRITIC}`,
    // Stryker disable next-line BooleanLiteral: thrown outside the retry loop; nothing reads `retryable`
    false,
  );
}

/** The answer a judge reads: the token pattern for each side and how to name them. */
interface BinaryAnswer {
  good: RegExp;
  bad: RegExp;
  /** For messages: `"Yes" nor "No"`. */
  names: string;
}

const YES_NO: BinaryAnswer = { good: YES, bad: NO, names: '"Yes" nor "No"' };
const PLUS_MINUS: BinaryAnswer = { good: PLUS, bad: MINUS, names: '"+" nor "-"' };

/** A step's score, or why it has none, and the tokens its requests took. */
interface StepScore {
  score: number | null;
  why?: string;
  usage?: ChatUsage | undefined;
}

function withUsage(score: StepScore, usage: ChatUsage | undefined): StepScore {
  return usage ? { ...score, usage } : score;
}

function firstTokenScore(logprobs: readonly TokenLogprob[], answer: BinaryAnswer): StepScore {
  const score = binaryProbability(logprobs, answer.good, answer.bad);
  if (score !== null) return { score };
  const first = logprobs[0];
  return {
    score: null,
    why: first
      ? `the first token (${JSON.stringify(first.token)}) had neither ${answer.names} among its top logprobs`
      : 'the reply had no tokens',
  };
}

const ONE_TOKEN = { max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: 10 } as const;

async function oneTokenScore(
  endpoint: ChatEndpoint,
  messages: ChatMessage[],
  answer: BinaryAnswer,
  signal?: AbortSignal,
): Promise<StepScore> {
  const result = await endpoint.complete({ messages, ...ONE_TOKEN }, 1, signal);
  const logprobs = result.choices[0]?.logprobs;
  if (!logprobs) throw missingLogprobs(endpoint);
  return withUsage(firstTokenScore(logprobs, answer), result.usage);
}

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

/** Does this reply open a reasoning block instead of answering? */
export function opensReasoning(choice: ChatChoice): boolean {
  if (choice.reasoning) return true;
  const first = choice.logprobs?.[0]?.token ?? choice.content;
  return first.trimStart().startsWith(THINK_OPEN);
}

/**
 * P(good) at the first good-or-bad token of the answer that follows the reasoning. The answer
 * starts after the last `</think>` among the tokens; without one (reasoning returned apart, the
 * tokens covering the reasoning or not), where the tokens end in the answer text the server gave.
 */
export function scoreAfterReasoning(choice: ChatChoice, answer: BinaryAnswer, maxTokens: number): StepScore {
  const tokens = choice.logprobs ?? [];
  const text = tokens.map((entry) => entry.token).join('');
  const unfinished: StepScore = {
    score: null,
    why:
      choice.finishReason === 'length'
        ? `the reasoning did not finish within ${maxTokens} tokens (the Self-PRM's maxTokens)`
        : 'the reply had no answer after the reasoning',
  };
  let start: number;
  const close = text.lastIndexOf(THINK_CLOSE);
  if (close !== -1) start = close + THINK_CLOSE.length;
  else if (text.includes(THINK_OPEN) || choice.content.includes(THINK_OPEN)) return unfinished;
  else {
    const content = choice.content.trim();
    if (content === '') return unfinished;
    start = text.lastIndexOf(content);
    if (start === -1) return { score: null, why: 'the answer is not among the tokens the logprobs cover' };
  }
  let offset = 0;
  for (const entry of tokens) {
    const begins = offset;
    offset += entry.token.length;
    if (begins < start) continue;
    if (answer.good.test(entry.token) || answer.bad.test(entry.token))
      return { score: binaryProbability([entry], answer.good, answer.bad) };
  }
  const shown = text.slice(start).trim().slice(0, 60);
  return {
    score: null,
    why: `the answer after the reasoning (${JSON.stringify(shown)}) has neither ${answer.names}`,
  };
}

/** Endpoints found to reason before answering, remembered for the life of the process. */
const reasoningEndpoints = new Set<string>();

/**
 * P("Yes") for one step: from the first token; or, when the model opens a reasoning block, from
 * the answer after the reasoning (one more request, with room to reason).
 */
async function stepwiseScore(
  endpoint: ChatEndpoint,
  messages: ChatMessage[],
  settings: StepwiseSettings,
  signal?: AbortSignal,
): Promise<StepScore> {
  let probeUsage: ChatUsage | undefined;
  if (!reasoningEndpoints.has(endpoint.key)) {
    const result = await endpoint.complete({ messages, ...ONE_TOKEN }, 1, signal);
    const choice = result.choices[0];
    if (choice && !choice.logprobs && opensReasoning(choice)) throw reasoningWithoutLogprobs(endpoint);
    if (!choice?.logprobs) throw missingLogprobs(endpoint);
    if (!opensReasoning(choice)) return withUsage(firstTokenScore(choice.logprobs, YES_NO), result.usage);
    reasoningEndpoints.add(endpoint.key);
    probeUsage = result.usage;
  }
  const request: ChatRequest = {
    messages,
    max_tokens: settings.maxTokens,
    temperature: settings.temperature,
    logprobs: true,
    top_logprobs: 10,
  };
  const result = await endpoint.complete(request, 1, signal);
  const choice = result.choices[0];
  if (!choice?.logprobs) throw reasoningWithoutLogprobs(endpoint);
  return withUsage(
    scoreAfterReasoning(choice, YES_NO, settings.maxTokens),
    addUsage(probeUsage, result.usage),
  );
}

export function stepwisePrompt(problem: string, steps: readonly string[], step: number): string {
  const shown = steps
    .slice(0, step + 1)
    .map((text, i) => `<paragraph_${i}>\n${text}\n</paragraph_${i}>`)
    .join('\n\n');
  return [
    '[Problem]',
    '',
    problem,
    '',
    '[Solution so far]',
    '',
    shown,
    '',
    `Is paragraph ${step} correct, given the problem and the paragraphs before it? Answer Yes or No.`,
  ].join('\n');
}

/**
 * Scores every step that fits. When none gets a score the judgement is an error on the sample,
 * saying why — "no judgement", never "no error".
 */
async function scoreEachStep(
  judge: string,
  steps: readonly string[],
  scoreStep: (step: number) => Promise<StepScore>,
  started: number,
  threshold: number,
  /** Added to the error when no step was scored. */
  hint?: string,
  unscoredFrom?: number,
): Promise<Judgement> {
  const limit = unscoredFrom ?? steps.length;
  const results = await Promise.all(
    steps.map((_, step) => (step < limit ? scoreStep(step) : Promise.resolve<StepScore>({ score: null }))),
  );
  const scores = results.map((result) => result.score);
  const usage = results.reduce<ChatUsage | undefined>(
    (sum, result) => addUsage(sum, result.usage),
    undefined,
  );
  const common = {
    stepScores: scores,
    ...(usage ? { usage } : {}),
    ...(unscoredFrom !== undefined ? { unscoredFrom } : {}),
    latencyMs: performance.now() - started,
  };
  // Every step asked about and left unscored says why; so with no reason given, none was asked.
  const why = results.find((result) => result.why)?.why ?? 'no step fit the input budget';
  return requireScoredStep(
    { ...common, firstError: firstErrorFromScores(scores, threshold) },
    `${judge} scored no step: ${why}${hint ? `; ${hint}` : ''}`,
  );
}

export interface StepwiseSettings {
  /** τ: the first step scored below it is the first error. */
  threshold: number;
  /** Reasoning models only: room to reason before the Yes/No, and the sampling temperature. */
  maxTokens: number;
  temperature: number;
}

export function judgeStepwise(
  endpoint: ChatEndpoint,
  problem: string,
  steps: readonly string[],
  settings: StepwiseSettings,
  signal?: AbortSignal,
): Promise<Judgement> {
  const started = performance.now();
  return scoreEachStep(
    'stepwise Self-PRM',
    steps,
    (step) =>
      stepwiseScore(
        endpoint,
        [{ role: 'user', content: stepwisePrompt(problem, steps, step) }],
        settings,
        signal,
      ),
    started,
    settings.threshold,
    USE_CRITIC,
  );
}

/** RLHFlow PRMs: the problem with the first step as the first user turn, "+" as each assistant turn. */
export function rlhflowMessages(problem: string, steps: readonly string[], step: number): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; i <= step; i++) {
    messages.push({ role: 'user', content: i === 0 ? `${problem} ${steps[0]}` : steps[i]! });
    if (i < step) messages.push({ role: 'assistant', content: '+' });
  }
  return messages;
}

export function judgeRlhflow(
  endpoint: ChatEndpoint,
  problem: string,
  steps: readonly string[],
  maxInputTokens: number,
  threshold: number,
  signal?: AbortSignal,
): Promise<Judgement> {
  const started = performance.now();
  const fitting = fitSteps(problem, steps, maxInputTokens);
  return scoreEachStep(
    endpoint.label,
    steps,
    (step) => oneTokenScore(endpoint, rlhflowMessages(problem, steps, step), PLUS_MINUS, signal),
    started,
    threshold,
    undefined,
    fitting < steps.length ? fitting : undefined,
  );
}

/**
 * ProcessBench's RLHFlow variant (code/run_eval_prm_rlhflow.py): the problem and the first step
 * joined by a blank line as the first user turn, each later step a user turn after an assistant "+".
 */
export function rlhflowProcessBenchMessages(
  problem: string,
  steps: readonly string[],
  step: number,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; i <= step; i++) {
    messages.push({ role: 'user', content: i === 0 ? `${problem}\n\n${steps[0]}` : steps[i]! });
    if (i < step) messages.push({ role: 'assistant', content: '+' });
  }
  return messages;
}

/**
 * ProcessBench's RLHFlow scoring: step by step, one greedy token each; a step is right when that
 * token starts with "+" (stripped, lower-cased), and the first that does not is the first error —
 * later steps are never asked (unscored). Scores are 1 (right) and 0 (wrong), so the first error
 * is the same at any τ in (0, 1]. Steps beyond the input budget stay unscored: a row cut before its
 * first wrong step has no prediction (a miss), never "no error".
 */
export async function judgeRlhflowProcessBench(
  endpoint: ChatEndpoint,
  problem: string,
  steps: readonly string[],
  maxInputTokens: number,
  signal?: AbortSignal,
): Promise<Judgement> {
  const started = performance.now();
  const fitting = fitSteps(problem, steps, maxInputTokens);
  const scores: (number | null)[] = Array.from({ length: steps.length }, () => null);
  let firstError: number | null = null;
  let usage: ChatUsage | undefined;
  for (let step = 0; step < fitting; step++) {
    const result = await endpoint.complete(
      { messages: rlhflowProcessBenchMessages(problem, steps, step), temperature: 0, max_tokens: 1 },
      1,
      signal,
    );
    usage = addUsage(usage, result.usage);
    const right = (result.choices[0]?.content ?? '').trim().toLowerCase().startsWith('+');
    scores[step] = right ? 1 : 0;
    if (!right) {
      firstError = step;
      break;
    }
  }
  if (firstError === null && fitting === steps.length) firstError = -1;
  const common = {
    stepScores: scores,
    ...(fitting < steps.length ? { unscoredFrom: fitting } : {}),
    latencyMs: performance.now() - started,
    ...(usage ? { usage } : {}),
  };
  if (firstError === null)
    return {
      ...common,
      stepScores: scores.map(() => null),
      firstError: null,
      error: `${endpoint.label}: no step was found wrong before the input budget (maxInputTokens ${maxInputTokens}) cut the solution at step ${fitting}; raise maxInputTokens`,
    };
  return { ...common, firstError };
}
