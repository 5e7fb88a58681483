/**
 * A dataset run admits the requests of problems started earlier first: critiques of a problem whose
 * samples came late still go before those of a later problem that are waiting, so the problems in
 * flight finish one after another instead of all together (which left the slots idle while the
 * next problems sampled).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { runDataset } from '../../src/jobs/dataset.js';
import { type ChatRequestBody, startStub } from '../fixtures/stubServer.js';

test('critiques of an earlier problem are admitted before the waiting critiques of a later one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-admission-'));
  const critiqued: number[] = [];
  const policy = await startStub({
    chat: (body: ChatRequestBody) => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      const solved = /Solution of problem (\d+)\./.exec(prompt);
      if (prompt.includes('<paragraph_0>') && solved) {
        critiqued.push(Number(solved[1]));
        return { latencyMs: 150, choices: [{ content: '\\boxed{-1}' }] };
      }
      const i = Number(/Problem (\d+)\./.exec(prompt)?.[1]);
      // Problem 0 samples slowly: problem 1's critiques are queued before its samples arrive.
      return {
        latencyMs: i === 0 ? 250 : 0,
        choices: Array.from({ length: body.n ?? 1 }, () => ({
          content: `Solution of problem ${i}.\n\nSo \\boxed{${i}}.`,
        })),
      };
    },
  });
  try {
    const file = join(dir, 'problems.jsonl');
    writeFileSync(
      file,
      [0, 1]
        .map((i) => JSON.stringify({ id: `p-${i}`, problem: `Problem ${i}. Say ${i}.`, answer: `${i}` }))
        .join('\n'),
    );
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'm', n: 4, concurrency: 2, maxRetries: 0, timeoutMs: 5000 },
      selfJudge: { mode: 'critic', samples: 1 },
      prms: [],
    });
    const outcome = await runDataset({
      files: [file],
      loaded: { config, templates: {}, templateHashes: {} },
      out: join(dir, 'out'),
      resolveKey: () => undefined,
      concurrency: 2,
    });
    assert.equal(outcome.complete, true);
    // Problem 1's critiques, queued first, take the free slot one by one (150 ms each) while problem
    // 0 samples (250 ms); once its samples arrive, problem 0's four critiques go before problem 1's
    // that still wait. In arrival order all of problem 1's would go first.
    assert.equal(critiqued.length, 8);
    const firstOfZero = critiqued.indexOf(0);
    assert.deepEqual(critiqued.slice(firstOfZero, firstOfZero + 4), [0, 0, 0, 0], critiqued.join(','));
    assert.ok(critiqued.lastIndexOf(1) > firstOfZero, critiqued.join(','));
  } finally {
    await policy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
