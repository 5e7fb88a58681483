/**
 * A running dataset rewrites its index and report now and then (src/jobs/dataset.ts), so that a
 * view of the folder follows the run: a partial dataset.json and report.json appear before the end.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { DatasetIndexSchema } from '../../src/core/dataset.js';
import { runDataset, throttledSnapshots } from '../../src/jobs/dataset.js';
import { environmentKeys } from '../../src/llm/judges.js';
import { startStub } from '../fixtures/stubServer.js';

const dir = mkdtempSync(join(tmpdir(), 'steplens-snapshots-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('snapshots: at most one at a time, at most once per period', async () => {
  let writes = 0;
  let release: () => void = () => {};
  const snapshots = throttledSnapshots(0, async () => {
    writes += 1;
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  snapshots.poke();
  snapshots.poke();
  assert.equal(writes, 1, 'a second poke while one is under way writes nothing');
  release();
  await snapshots.settle();
  snapshots.poke();
  assert.equal(writes, 2);
  release();
  await snapshots.settle();
  const slow = throttledSnapshots(60_000, async () => {
    writes += 1;
  });
  slow.poke();
  assert.equal(writes, 2, 'within the period nothing is written');
});

test('a partial dataset.json and report.json appear while the run goes on', async () => {
  const policy = await startStub({
    chat: (body) => ({
      latencyMs: 15,
      choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'Two.\n\nSo \\boxed{2}.' })),
    }),
  });
  try {
    const rows = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: `q-${i}`, problem: `Q${i}: 1+1?`, answer: '2' }),
    );
    writeFileSync(join(dir, 'problems.jsonl'), rows.join('\n'));
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'm', n: 2, concurrency: 2, maxRetries: 0 },
      selfJudge: { mode: 'off' },
    });
    const out = join(dir, 'out');
    const seen: { complete: boolean; problems: number }[] = [];
    let running = true;
    const watching = (async () => {
      while (running) {
        const path = join(out, 'dataset.json');
        if (existsSync(path) && existsSync(join(out, 'report.json'))) {
          try {
            const index = DatasetIndexSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
            seen.push({ complete: index.complete, problems: index.problems.length });
          } catch {
            // Written atomically; a read never sees half a file, but the schema check is cheap.
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const outcome = await runDataset({
      files: [join(dir, 'problems.jsonl')],
      loaded: { config, templates: {}, templateHashes: {} },
      out,
      concurrency: 1,
      resolveKey: environmentKeys,
      snapshotEveryMs: 0,
    });
    running = false;
    await watching;
    assert.equal(outcome.complete, true);
    const partial = seen.find((snapshot) => !snapshot.complete);
    assert.ok(partial, `a partial snapshot was seen (${seen.length} reads)`);
    assert.ok(partial.problems > 0 && partial.problems < 40);
    const final = DatasetIndexSchema.parse(JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')));
    assert.deepEqual([final.complete, final.problems.length, final.problemsTotal], [true, 40, 40]);
  } finally {
    await policy.close();
  }
});

test('progress tells the requests still in flight from the ones answered', async () => {
  // Problem q-0's sample is slow: while it is out, the other problems finish and report progress.
  const policy = await startStub({
    chat: (body) => {
      const slow = JSON.stringify(body.messages).includes('Q0:');
      return {
        latencyMs: slow ? 400 : 10,
        choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'Two.\n\nSo \\boxed{2}.' })),
      };
    },
  });
  try {
    const rows = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ id: `q-${i}`, problem: `Q${i}: 1+1?`, answer: '2' }),
    );
    writeFileSync(join(dir, 'inflight.jsonl'), rows.join('\n'));
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'm', n: 1, concurrency: 2, maxRetries: 0 },
      selfJudge: { mode: 'off' },
    });
    const reports: { requests: number; inFlight: number; problemsDone: number }[] = [];
    const outcome = await runDataset({
      files: [join(dir, 'inflight.jsonl')],
      loaded: { config, templates: {}, templateHashes: {} },
      out: join(dir, 'inflight-out'),
      concurrency: 2,
      resolveKey: environmentKeys,
      onProgress: (progress) =>
        reports.push({
          requests: progress.requests,
          inFlight: progress.requestsInFlight,
          problemsDone: progress.problemsDone,
        }),
    });
    assert.equal(outcome.complete, true);
    assert.ok(
      reports.some((report) => report.inFlight === 1 && report.problemsDone > 0),
      `q-0's request reported in flight while others were done: ${JSON.stringify(reports)}`,
    );
    assert.ok(reports.every((report) => report.inFlight <= report.requests && report.inFlight <= 2));
    assert.deepEqual(
      [outcome.progress.requests, outcome.progress.requestsInFlight],
      [6, 0],
      'at the end every request was answered',
    );
  } finally {
    await policy.close();
  }
});
