/**
 * Samples N solutions from the policy model, streamed, and hands each over the moment it ends so
 * that judging starts while the others are still being written.
 */
import type { ChatChoice, ChatEndpoint, ChatRequest, ChatUsage, PartialChoice } from './chat.js';
import { errorText } from './credentials.js';
import { isCancelled } from './errors.js';

export const SOLVE_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

export function solveRequest(
  problem: string,
  settings: { temperature: number; topP: number; maxTokens: number },
): ChatRequest {
  return {
    messages: [{ role: 'user', content: `${problem}\n\n${SOLVE_INSTRUCTION}` }],
    temperature: settings.temperature,
    top_p: settings.topP,
    max_tokens: settings.maxTokens,
  };
}

export type SampleOutcome =
  | { ok: true; choice: ChatChoice & { latencyMs: number; usage?: ChatUsage } }
  | { ok: false; error: string };

/**
 * Calls `onSample` exactly once for each of the `n` slots that finishes or fails. When the signal
 * fires (the run is cancelled, not failed), a slot still open that had streamed text goes to
 * `onCancelled` with that text; one that had streamed nothing is left out.
 */
export async function sampleSolutions(
  endpoint: ChatEndpoint,
  request: ChatRequest,
  n: number,
  handlers: {
    onSample: (slot: number, outcome: SampleOutcome) => void;
    onProgress?: (slot: number, characters: number) => void;
    onCancelled?: (slot: number, partial: PartialChoice) => void;
  },
  signal?: AbortSignal,
): Promise<void> {
  const settled = new Set<number>();
  const streamHandlers = {
    onChoice: (slot: number, choice: ChatChoice & { latencyMs: number; usage?: ChatUsage }) => {
      settled.add(slot);
      handlers.onSample(slot, { ok: true, choice });
    },
    onCancelled: (slot: number, partial: PartialChoice) => {
      if (settled.has(slot)) return;
      settled.add(slot);
      handlers.onCancelled?.(slot, partial);
    },
    ...(handlers.onProgress ? { onProgress: handlers.onProgress } : {}),
  };
  const fail = (slots: readonly number[], error: unknown) => {
    if (isCancelled(error) || signal?.aborted) return;
    const message = errorText(error);
    for (const slot of slots) {
      if (settled.has(slot)) continue;
      settled.add(slot);
      handlers.onSample(slot, { ok: false, error: message });
    }
  };
  const all = Array.from({ length: n }, (_, slot) => slot);
  const unsettled = () => all.filter((slot) => !settled.has(slot));

  if (n > 1 && endpoint.acceptsMultipleChoices) {
    try {
      await endpoint.stream(request, all, streamHandlers, signal);
    } catch (error) {
      fail(unsettled(), error);
      return;
    }
  }
  // What is left (all of it where `n` is refused or ignored) goes one request per sample.
  await Promise.all(
    unsettled().map(async (slot) => {
      try {
        const left = await endpoint.stream(request, [slot], streamHandlers, signal);
        if (left.length > 0) fail([slot], new Error('the endpoint returned no choice'));
      } catch (error) {
        fail([slot], error);
      }
    }),
  );
}
