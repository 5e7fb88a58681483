/** The CLI's pure modes: each maps JSONL lines through one core function. */
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { answersEquivalent, extractAnswer, isNumericAnswer } from '../core/answers.js';
import { processBenchF1 } from '../core/metrics.js';
import { parseProblemFile } from '../core/problems.js';
import { type StepStrategy, separateReasoning, splitSteps } from '../core/steps.js';
import { readTextFile } from '../io/files.js';
import { LineWriter, readJsonLines } from './io.js';

export interface Streams {
  stdin: Readable;
  stdout: Writable;
}

const Id = z.union([z.string(), z.number()]);
const withId = (id: string | number | undefined) => (id === undefined ? {} : { id });

const SplitLine = z.object({ id: Id.optional(), text: z.string() });

export async function runSplit(streams: Streams, strategy: StepStrategy): Promise<void> {
  const out = new LineWriter(streams.stdout);
  for await (const { value } of readJsonLines(streams.stdin, SplitLine)) {
    const { answerText } = separateReasoning(value.text);
    await out.write({ ...withId(value.id), steps: splitSteps(answerText, strategy) });
  }
  await out.flush();
}

const AnswerLine = z.object({
  id: Id.optional(),
  text: z.string(),
  reference: z.union([z.string(), z.number()]).transform(String).optional(),
});

export async function runAnswer(streams: Streams): Promise<void> {
  const out = new LineWriter(streams.stdout);
  for await (const { value } of readJsonLines(streams.stdin, AnswerLine)) {
    const { answerText } = separateReasoning(value.text);
    // The last-number fallback is only fair when the expected answer is a number (or unknown).
    const numericFallback = value.reference === undefined || isNumericAnswer(value.reference);
    const answer = extractAnswer(answerText, { numericFallback });
    await out.write({
      ...withId(value.id),
      answer,
      ...(value.reference !== undefined ? { correct: answersEquivalent(answer, value.reference) } : {}),
    });
  }
  await out.flush();
}

export function runEquiv(streams: Streams, a: string, b: string): void {
  streams.stdout.write(`${answersEquivalent(a, b)}\n`);
}

export async function runImport(streams: Streams, file: string): Promise<void> {
  const content = await readTextFile(file);
  const out = new LineWriter(streams.stdout);
  for (const problem of parseProblemFile(file, content)) await out.write(problem);
  await out.flush();
}

const StepIndex = z.number().int().min(-1);
const MetricsLine = z.object({ label: StepIndex, prediction: StepIndex });

export async function runMetrics(streams: Streams): Promise<void> {
  const pairs: z.infer<typeof MetricsLine>[] = [];
  for await (const { value } of readJsonLines(streams.stdin, MetricsLine)) pairs.push(value);
  streams.stdout.write(`${JSON.stringify(processBenchF1(pairs))}\n`);
}
