/**
 * Batch files: the chat requests of a dataset run as OpenAI Batch JSONL, which vLLM's offline
 * `run-batch` and the OpenAI Batch API both take, and their output lines. One line is one journal
 * record: a sample (`n` = 1), or one judge's judgement of one sample (`n` = its k critiques). Its
 * `custom_id` names the problem by its file name, the stage, the sample and (critiques) the judge
 * and a hash of the steps it judged; it is parsed here, strictly, before anything is looked up.
 */
import { z } from 'zod';
import { SafeIdSchema } from './ids.js';

export const BATCH_STAGES = ['sample', 'critique'] as const;
export type BatchStage = (typeof BATCH_STAGES)[number];

export const BATCH_URL = '/v1/chat/completions';

/** What a line asks for. `stepsHash` ties a critique to the steps it was asked about. */
export type BatchTarget =
  | { stage: 'sample'; problem: string; sample: number }
  | { stage: 'critique'; problem: string; sample: number; judge: string; stepsHash: string };

/** `<problem>:sample:<index>` or `<problem>:critique:<index>:<judge>:<steps hash>`. */
export function customId(target: BatchTarget): string {
  return target.stage === 'sample'
    ? `${target.problem}:sample:${target.sample}`
    : `${target.problem}:critique:${target.sample}:${target.judge}:${target.stepsHash}`;
}

// Names and judge ids are safe ids (no ":"); an index has no leading zero and at most 4 digits (n ≤ 1024).
const ID = '([A-Za-z0-9][A-Za-z0-9._-]*)';
const INDEX = '(0|[1-9]\\d{0,3})';
const SAMPLE_ID = new RegExp(`^${ID}:sample:${INDEX}$`);
const CRITIQUE_ID = new RegExp(`^${ID}:critique:${INDEX}:${ID}:([0-9a-f]{12})$`);

/** The target a custom_id names, or undefined when it is not one StepLens wrote. */
export function parseCustomId(id: string): BatchTarget | undefined {
  const sample = SAMPLE_ID.exec(id);
  if (sample) {
    const [, problem, index] = sample;
    if (!SafeIdSchema.safeParse(problem).success) return undefined;
    return { stage: 'sample', problem: problem!, sample: Number(index) };
  }
  const critique = CRITIQUE_ID.exec(id);
  if (critique) {
    const [, problem, index, judge, hash] = critique;
    if (!SafeIdSchema.safeParse(problem).success || !SafeIdSchema.safeParse(judge).success) return undefined;
    return { stage: 'critique', problem: problem!, sample: Number(index), judge: judge!, stepsHash: hash! };
  }
  return undefined;
}

/** One input line (OpenAI Batch API, vLLM run-batch). */
export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: typeof BATCH_URL;
  body: Record<string, unknown>;
}

/**
 * One output line. vLLM run-batch: `{id, custom_id, response: {status_code, request_id, body},
 * error}`, a failure with `error` set (and `body` null); OpenAI: the same in the output file, and
 * `response: null` with `error: {code, message}` in the error file. Everything else passes.
 */
export const BatchOutputLineSchema = z.object({
  id: z.string().nullish(),
  custom_id: z.string(),
  response: z
    .object({
      status_code: z.number().int(),
      request_id: z.string().nullish(),
      body: z.unknown().optional(),
    })
    .nullish(),
  error: z.unknown().optional(),
});
export type BatchOutputLine = z.infer<typeof BatchOutputLineSchema>;

function errorMessage(error: unknown): string | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string') return typeof code === 'string' ? `${code}: ${message}` : message;
    const nested = (error as { error?: unknown }).error;
    if (nested !== undefined) return errorMessage(nested);
  }
  return JSON.stringify(error).slice(0, 300);
}

/**
 * Why an output line carries no answer (an error, a status other than 200, no body), or undefined
 * when its body is the chat completion to read.
 */
export function lineFailure(line: BatchOutputLine): string | undefined {
  const error = errorMessage(line.error);
  const status = line.response?.status_code;
  if (error !== undefined || status !== 200) {
    const bodyError =
      line.response?.body !== undefined && line.response.body !== null
        ? errorMessage((line.response.body as { error?: unknown }).error ?? line.response.body)
        : undefined;
    const why = error ?? bodyError ?? 'no response';
    return `batch line ${line.custom_id}: ${status === undefined ? '' : `HTTP ${status}: `}${why}`;
  }
  if (line.response?.body === undefined || line.response.body === null)
    return `batch line ${line.custom_id}: HTTP 200 without a body`;
  return undefined;
}
