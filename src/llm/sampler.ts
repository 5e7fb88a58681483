/**
 * Samples N solutions from the policy model, streamed, and hands each over the moment it ends so
 * that judging starts while the others are still being written.
 */
import type {
  ChatChoice,
  ChatEndpoint,
  ChatRequest,
  ChatUsage,
  PartialChoice,
  StreamHandlers,
} from './chat.js';
import { errorText } from './credentials.js';

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
 * Samples the given slots (sample indices; all of 0…n−1, or the ones a resumed run still lacks).
 * Calls `onSample` exactly once for each slot that finishes or fails. When the signal
 * fires (the run is cancelled, not failed), a slot still open that had streamed text goes to
 * `onCancelled` with that text; one that had streamed nothing is left out.
 */
export async function sampleSolutions(
  endpoint: ChatEndpoint,
  request: ChatRequest,
  slots: readonly number[],
  handlers: {
    onSample: (slot: number, outcome: SampleOutcome) => void;
    onProgress?: (slot: number, characters: number) => void;
    onCancelled?: (slot: number, partial: PartialChoice) => void;
    onUsage?: (usage: ChatUsage) => void;
  },
  signal?: AbortSignal,
): Promise<void> {
  const settled = new Set<number>();
  const streamHandlers: StreamHandlers = {
    onChoice: (slot, choice) => {
      settled.add(slot);
      handlers.onSample(slot, { ok: true, choice });
    },
    onProgress: handlers.onProgress,
    onCancelled: handlers.onCancelled,
    onUsage: handlers.onUsage,
  };
  const fail = (slots: readonly number[], error: unknown) => {
    // Whatever a request failed with once the run is cancelled, it is no failed sample.
    if (signal?.aborted) return;
    const message = errorText(error);
    for (const slot of slots) handlers.onSample(slot, { ok: false, error: message });
  };
  const all = [...slots];
  const unsettled = () => all.filter((slot) => !settled.has(slot));

  // Stryker disable next-line EqualityOperator: for one slot the one request for all slots is the per-sample request
  if (all.length > 1 && endpoint.acceptsMultipleChoices) {
    try {
      await endpoint.stream(request, all, streamHandlers, signal);
    } catch (error) {
      fail(unsettled(), error);
      return;
    }
  }
  // What is left (all of it where `n` is refused or ignored) goes one request per sample; a
  // one-choice stream either reports its choice or throws.
  await Promise.all(
    unsettled().map(async (slot) => {
      try {
        await endpoint.stream(request, [slot], streamHandlers, signal);
      } catch (error) {
        fail([slot], error);
      }
    }),
  );
}
