/** The scripted endpoints the VS Code tests talk to: four solutions, each with its own verdicts. */
import { isCriticRequest, type ScriptedSolution, scenario, solution } from '../fixtures/scenario.js';
import { poolingInputs, type Stub, startStub } from '../fixtures/stubServer.js';

export const SOLUTIONS = [
  solution('alpha', '5', { verdicts: [-1, -1, -1, -1], prm: [0.99, 0.95, 0.9] }),
  solution('beta', '7', { verdicts: [1, 1, 1, -1], prm: [0.98, 0.9, 0.1] }),
  solution('gamma', '5', { verdicts: [-1, -1, 2, -1], prm: [0.97, 0.8, 0.85] }),
  solution('delta', '5', { verdicts: [-1, -1, -1, -1], prm: [0.96, 0.9, 0.88] }),
];

/**
 * ProcessBench row gsm8k-0 (test/fixtures/processbench_sample_40.jsonl, 4 steps, first error at
 * step 1), judged as scored: the critiques name step 1 three times in four, the PRM gives the
 * P(right) that Qwen2.5-Math-PRM-7B gave these steps under vLLM
 * (test/fixtures/vllm_fixture_qwen2_5_math_prm_reward_step.json).
 */
export const GSM8K_0: ScriptedSolution = {
  marker: 'To find out how many more pink plastic flamingos',
  choice: { content: '' },
  verdicts: [1, 1, 1, -1],
  prm: [0.99951171875, 0.1812744140625, 0.974609375, 0.99951171875],
};

/**
 * Rows of test/fixtures/processbench_sample_40.jsonl that Evaluate Judges judges (as
 * evaluate/gsm8k.jsonl in the workspace), each recognised by the start of its first step. Self-PRM
 * finds gsm8k-2's first error (step 1), misses gsm8k-3's (step 2) and calls gsm8k-202 correct; the
 * PRM gets all three: on this subset Self-PRM's error accuracy is 0.5, the PRM's 1.
 */
export const EVALUATION_ROWS: (ScriptedSolution & { id: string })[] = [
  {
    id: 'gsm8k-2',
    marker: "First, let's calculate the total cost of the milk that Mr. M",
    choice: { content: '' },
    verdicts: [1, 1, 1, -1],
    prm: [0.9, 0.2, 0.8, 0.9],
  },
  {
    id: 'gsm8k-3',
    marker: "To find out how many students like to play video games, let'",
    choice: { content: '' },
    verdicts: [-1, -1, -1, 2],
    prm: [0.9, 0.8, 0.3, 0.9],
  },
  {
    id: 'gsm8k-202',
    marker: "To find out how many sticks they have in total, let's break ",
    choice: { content: '' },
    verdicts: [-1, -1, -1, -1],
    prm: [0.9, 0.95],
  },
];

/**
 * Problems for Evaluate Dataset (no steps: sampled k times, each sample judged). Every request about
 * them carries "Dataset problem" (sampling, critiques and PRM inputs all quote the problem), and
 * goes to a world of its own whose answers take a moment, so a person can cancel one mid-run.
 */
export const DATASET_MARKER = 'Dataset problem';
export const DATASET_PROBLEMS = [1, 2, 3].map((i) => ({
  id: `ds-${i}`,
  problem: `${DATASET_MARKER} ds-${i}: what is ${i} + ${5 - i}?`,
  answer: '5',
}));
export const DATASET_LATENCY_MS = 1500;

/**
 * Problems the policy endpoint refuses to sample, as the demo endpoint refuses any problem it has
 * no recording of (a 400 naming why): a dataset of them fails every sample.
 */
export const UNRECORDED_MARKER = 'Unrecorded problem';
export const UNRECORDED_PROBLEMS = [1, 2].map((i) => ({
  id: `ur-${i}`,
  problem: `${UNRECORDED_MARKER} ur-${i}: what is ${i} + 1?`,
  answer: String(i + 1),
}));
export const UNRECORDED_REFUSAL = 'stub endpoint: no recorded solution of this problem';

export async function startStubs(): Promise<{ policy: Stub; prm: Stub; close(): Promise<void> }> {
  const world = scenario(SOLUTIONS);
  const evaluation = scenario(EVALUATION_ROWS);
  const isEvaluated = (texts: string[]) =>
    texts.some((text) => EVALUATION_ROWS.some((row) => text.includes(row.marker)));
  // The row's own steps are only ever judged: its requests go to a scenario that samples nothing.
  // Its judges take a moment, as real ones do: a panel opened by the command is ready before they answer.
  const row = scenario([GSM8K_0], { latencyMs: () => 1500 });
  const isRow = (texts: string[]) => texts.some((text) => text.includes(GSM8K_0.marker));
  const dataset = scenario(SOLUTIONS, { latencyMs: () => DATASET_LATENCY_MS });
  const isDataset = (texts: string[]) => texts.some((text) => text.includes(DATASET_MARKER));
  const policy = await startStub({
    chat: (body, call) =>
      body.messages.some((message) => message.content.includes(UNRECORDED_MARKER))
        ? { fault: { kind: 'status', status: 400, message: UNRECORDED_REFUSAL } }
        : isDataset(body.messages.map((message) => message.content))
          ? dataset.chat!(body, call)
          : !isCriticRequest(body)
            ? world.chat!(body, call)
            : isRow(body.messages.map((message) => message.content))
              ? row.chat!(body, call)
              : isEvaluated(body.messages.map((message) => message.content))
                ? evaluation.chat!(body, call)
                : world.chat!(body, call),
  });
  const prm = await startStub({
    pooling: (body, call) =>
      (isDataset(poolingInputs(body))
        ? dataset.pooling!
        : isRow(poolingInputs(body))
          ? row.pooling!
          : isEvaluated(poolingInputs(body))
            ? evaluation.pooling!
            : world.pooling!)(body, call),
  });
  return { policy, prm, close: async () => void (await Promise.all([policy.close(), prm.close()])) };
}
