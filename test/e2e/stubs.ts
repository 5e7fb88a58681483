/** The scripted endpoints the VS Code tests talk to: four solutions, each with its own verdicts. */
import { scenario, solution } from '../fixtures/scenario.js';
import { type Stub, startStub } from '../fixtures/stubServer.js';

export const SOLUTIONS = [
  solution('alpha', '5', { verdicts: [-1, -1, -1, -1], prm: [0.99, 0.95, 0.9] }),
  solution('beta', '7', { verdicts: [1, 1, 1, -1], prm: [0.98, 0.9, 0.1] }),
  solution('gamma', '5', { verdicts: [-1, -1, 2, -1], prm: [0.97, 0.8, 0.85] }),
  solution('delta', '5', { verdicts: [-1, -1, -1, -1], prm: [0.96, 0.9, 0.88] }),
];

export async function startStubs(): Promise<{ policy: Stub; prm: Stub; close(): Promise<void> }> {
  const world = scenario(SOLUTIONS);
  const policy = await startStub({ chat: world.chat! });
  const prm = await startStub({ pooling: world.pooling! });
  return { policy, prm, close: async () => void (await Promise.all([policy.close(), prm.close()])) };
}
