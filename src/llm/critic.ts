/**
 * Critics: Self-PRM (the policy model judging its own samples) and `chat-critic` PRMs (another chat
 * model). Under StepLens's own protocol the critic sees the problem and the steps as 0-indexed
 * tagged paragraphs in StepLens's prompt and names the earliest wrong one, or −1, in \boxed{};
 * under the processbench protocol the prompt is the user's ProcessBench template and the
 * critiques are read by ProcessBench's rules.
 */
import { z } from 'zod';
import { lastBoxed } from '../core/answers.js';
import type { CritiqueSampling } from '../core/config.js';
import { critiquePrompt, processBenchJudgement } from '../core/processbench.js';
import type { Judgement } from '../core/schemas.js';
import { separateReasoning } from '../core/steps.js';
import type { ChatChoice, ChatEndpoint, ChatRequest } from './chat.js';

export function criticPrompt(problem: string, steps: readonly string[]): string {
  const paragraphs = steps.map((step, i) => `<paragraph_${i}>\n${step}\n</paragraph_${i}>`).join('\n\n');
  return [
    'Below is a math problem and a proposed solution. The solution is divided into paragraphs, each',
    'wrapped in tags and numbered from 0.',
    '',
    '[Problem]',
    '',
    problem,
    '',
    '[Solution]',
    '',
    paragraphs,
    '',
    'Check the paragraphs in order. Find the first paragraph that contains a mistake: a wrong',
    'calculation, a false claim, an invalid inference, or a misreading of the problem. If every',
    'paragraph is correct, the answer is -1.',
    '',
    'Give the index of that paragraph (or -1) alone in \\boxed{}, for example \\boxed{2} or \\boxed{-1}.',
  ].join('\n');
}

export const CriticVerdictSchema = z.object({
  first_error_paragraph: z.number().int().min(-1),
  reason: z.string().optional(),
});

/**
 * CriticVerdictSchema as JSON Schema, written out: the bundles carry zod without its JSON-Schema
 * generator (src/zodSlim.ts). A unit test holds it equal to what zod generates from the schema.
 */
export const criticResponseFormat: NonNullable<ChatRequest['response_format']> = {
  type: 'json_schema',
  json_schema: {
    name: 'critic_verdict',
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        first_error_paragraph: { type: 'integer', minimum: -1, maximum: Number.MAX_SAFE_INTEGER },
        reason: { type: 'string' },
      },
      required: ['first_error_paragraph'],
      additionalProperties: false,
    },
  },
};

function indexFromText(text: string): number | null {
  const cleaned = text
    .replace(/\\text\{([^{}]*)\}/g, '$1')
    .replace(/\\_|_|\$/g, ' ')
    .replace(/paragraph|index|step/gi, ' ')
    .trim();
  return /^-?\d+$/.test(cleaned) ? Number(cleaned) : null;
}

/**
 * A critique's first-error index, or null when it names none that exists. JSON (structured
 * output) is read first, then the last \boxed{} of the answer text.
 */
export function parseCriticVerdict(output: string, stepCount: number): number | null {
  const { answerText } = separateReasoning(output);
  let index: number | null = null;
  // Only an object can be a verdict: other text is not parsed (a throw per critique costs).
  if (answerText.trimStart().startsWith('{'))
    try {
      index = CriticVerdictSchema.parse(JSON.parse(answerText)).first_error_paragraph;
    } catch {}
  if (index === null) {
    const boxed = lastBoxed(answerText);
    index = boxed === null ? null : indexFromText(boxed);
  }
  // Stryker disable next-line ConditionalExpression: null fails both bounds below as well; the check narrows the type
  if (index === null) return null;
  return index < -1 || index >= stepCount ? null : index;
}

/**
 * The verdict is the most common index; ties go to the earliest flagged step (a judge is no surer
 * than its doubts).
 */
export function criticJudgement(
  verdicts: readonly (number | null)[],
  stepCount: number,
): Omit<Judgement, 'raw'> {
  const parsed = verdicts.filter((verdict): verdict is number => verdict !== null);
  if (parsed.length === 0) {
    return {
      stepScores: Array.from({ length: stepCount }, () => null),
      firstError: null,
      verdicts: [...verdicts],
      error: `none of the ${verdicts.length} critique(s) named a paragraph index that exists`,
    };
  }
  const stepScores = Array.from(
    { length: stepCount },
    (_, step) => parsed.filter((verdict) => verdict === -1 || verdict > step).length / parsed.length,
  );
  const counts = new Map<number, number>();
  for (const verdict of parsed) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const tied = [...counts].filter(([, count]) => count === top).map(([verdict]) => verdict);
  const errors = tied.filter((verdict) => verdict >= 0);
  const firstError = errors.length > 0 ? Math.min(...errors) : -1;
  return { stepScores, firstError, verdicts: [...verdicts] };
}

/** Raw critiques are kept for audit, but a runaway one is cut, visibly, so run files stay openable. */
export const MAX_RAW_CHARS = 20_000;

export function keepRaw(text: string): string {
  if (text.length <= MAX_RAW_CHARS) return text;
  return `${text.slice(0, MAX_RAW_CHARS)}\n…[${text.length - MAX_RAW_CHARS} more characters not kept]`;
}

export interface CriticSettings extends CritiqueSampling {
  /** Ask for JSON through response_format; the boxed-index parse stays the fallback. */
  structuredOutput: boolean;
}

/**
 * One critic judgement as a request and its reader: the chat request, how many critiques it asks
 * for (`n`), and how the returned choices become a judgement. The online judge sends it through an
 * endpoint; a batch file carries the same request, and its output is read by the same `read`.
 */
export interface CritiquePlan {
  request: ChatRequest;
  n: number;
  read(choices: readonly ChatChoice[]): Judgement;
}

/** StepLens's own protocol: its prompt, k critiques, the boxed (or JSON) index of each. */
export function steplensCritique(
  problem: string,
  steps: readonly string[],
  settings: CriticSettings,
): CritiquePlan {
  return {
    request: {
      messages: [{ role: 'user', content: criticPrompt(problem, steps) }],
      ...samplingFields(settings),
      ...(settings.structuredOutput ? { response_format: criticResponseFormat } : {}),
    },
    n: settings.n,
    read: (choices) => {
      const outputs = choices.map((choice) => choice.content);
      const verdicts = outputs.map((output) => parseCriticVerdict(output, steps.length));
      return { ...criticJudgement(verdicts, steps.length), raw: outputs.map(keepRaw) };
    },
  };
}

/** Sends a critique plan through an endpoint: the judgement with its latency and tokens. */
export async function runCritique(
  endpoint: ChatEndpoint,
  plan: CritiquePlan,
  signal?: AbortSignal,
): Promise<Judgement> {
  const started = performance.now();
  const result = await endpoint.complete(plan.request, plan.n, signal);
  return {
    ...plan.read(result.choices),
    latencyMs: performance.now() - started,
    ...(result.usage ? { usage: result.usage } : {}),
  };
}

export function judgeByCritique(
  endpoint: ChatEndpoint,
  problem: string,
  steps: readonly string[],
  settings: CriticSettings,
  signal?: AbortSignal,
): Promise<Judgement> {
  return runCritique(endpoint, steplensCritique(problem, steps, settings), signal);
}

function samplingFields(
  sampling: CritiqueSampling,
): Pick<ChatRequest, 'temperature' | 'top_p' | 'max_tokens'> {
  return {
    temperature: sampling.temperature,
    ...(sampling.top_p !== undefined ? { top_p: sampling.top_p } : {}),
    max_tokens: sampling.maxTokens,
  };
}

/**
 * ProcessBench's critic (code/run_eval.py): the user's template filled with the tagged steps, one
 * greedy critique or k voting ones in one request, read by its rules on the whole generated text —
 * a reasoning model's thinking and its answer, as ProcessBench saw them — before anything is cut
 * for keeping.
 */
export function processBenchCritique(
  template: string,
  problem: string,
  steps: readonly string[],
  sampling: CritiqueSampling,
): CritiquePlan {
  return {
    request: {
      messages: [{ role: 'user', content: critiquePrompt(template, problem, steps) }],
      ...samplingFields(sampling),
    },
    n: sampling.n,
    read: (choices) => {
      const critiques = choices.map((choice) =>
        choice.reasoning ? `${choice.reasoning}\n${choice.content}` : choice.content,
      );
      return {
        ...processBenchJudgement(critiques, steps.length),
        raw: choices.map((choice) => keepRaw(choice.content)),
      };
    },
  };
}

export function judgeByProcessBenchCritique(
  endpoint: ChatEndpoint,
  template: string,
  problem: string,
  steps: readonly string[],
  sampling: CritiqueSampling,
  signal?: AbortSignal,
): Promise<Judgement> {
  return runCritique(endpoint, processBenchCritique(template, problem, steps, sampling), signal);
}
