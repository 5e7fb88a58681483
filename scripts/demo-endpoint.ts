/**
 * The demo's local endpoint: the OpenAI chat-completions and vLLM /pooling wire formats with
 * SCRIPTED responses (no model runs here). Solutions, critiques and PRM scores are made up from a
 * hash of the request, so the same problem always gives the same run, and the two judges disagree
 * on some steps: enough to try StepLens end to end. Point the settings at real servers for real
 * judgements (README).
 */
import { createHash } from 'node:crypto';
import { isCriticRequest } from '../test/fixtures/scenario.js';
import { poolingInputs, rewardPairs, startStub, stepsIn } from '../test/fixtures/stubServer.js';

function rng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function answerFor(problem: string): number {
  const numbers = (problem.match(/\d+/g) ?? ['6', '7']).map(Number);
  return numbers.reduce((sum, n) => sum + n, 0);
}

function solution(problem: string, index: number): string {
  const random = rng(`${problem}#${index}`);
  const right = answerFor(problem);
  const answer = random() < 0.7 ? right : right + 1 + Math.floor(random() * 3);
  const steps = 3 + Math.floor(random() * 4);
  const paragraphs = [
    `We read the problem carefully and name the quantities involved (${problem.length} characters of it).`,
  ];
  for (let i = 1; i < steps - 1; i++) {
    const a = 2 + Math.floor(random() * 9);
    const b = 2 + Math.floor(random() * 9);
    paragraphs.push(
      i % 2 === 1
        ? `Next we compute $${a} \\times ${b} = ${a * b}$ and keep it for later.`
        : `Combining the pieces, \\[ \\frac{${a * b}}{${b}} = ${a}, \\] which matches the setup.`,
    );
  }
  paragraphs.push(`Therefore the answer is $\\boxed{${answer}}$.`);
  return `<think>Let me work through this carefully (scripted demo trace ${index}).</think>\n\n${paragraphs.join('\n\n')}`;
}

export async function startDemoEndpoint(port: number) {
  const server = await startStub({
    port,
    chat: (body) => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      const n = body.n ?? 1;
      if (isCriticRequest(body)) {
        const paragraphs = (prompt.match(/<paragraph_\d+>/g) ?? []).length;
        // Each critique either finds nothing or names a step after the first: the model is often lenient.
        const choices = Array.from({ length: n }, (_, i) => {
          const random = rng(`${prompt}#${i}`);
          const verdict =
            random() < 0.55 ? -1 : Math.min(paragraphs - 1, 1 + Math.floor(random() * paragraphs));
          return { content: `I checked each paragraph.\n\nThe earliest error: \\boxed{${verdict}}` };
        });
        return { choices, latencyMs: 150 };
      }
      const problem = body.messages.at(-1)?.content.split('\n\nPlease reason')[0] ?? '';
      const offset = Math.floor(Math.random() * 1_000_000);
      return {
        choices: Array.from({ length: n }, (_, i) => ({ content: solution(problem, offset + i) })),
        latencyMs: 300,
      };
    },
    pooling: (body) => {
      const data = poolingInputs(body).map((input) => {
        const steps = stepsIn(input);
        const random = rng(input);
        const wrongFrom = random() < 0.5 ? steps : Math.floor(random() * steps);
        return rewardPairs(
          Array.from({ length: steps }, (_, i) =>
            i < wrongFrom ? 0.85 + random() * 0.14 : 0.05 + random() * 0.3,
          ),
        );
      });
      return { data, latencyMs: 120 };
    },
  });
  return server;
}
