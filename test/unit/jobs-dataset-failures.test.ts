/**
 * Failed samples of a dataset run are never lost from sight: the shell is told how many failed, the
 * first one's cause (redacted) and how to ask them again; a rerun that reuses them still counts
 * them in its progress; the plan of a finished folder says they stay failed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { type DatasetProgress, planDataset, runDataset } from '../../src/jobs/dataset.js';
import { planText } from '../../src/jobs/progressText.js';
import { environmentKeys } from '../../src/llm/judges.js';
import { runInProcess } from '../cli.js';
import { startStub } from '../fixtures/stubServer.js';

const dir = mkdtempSync(join(tmpdir(), 'steplens-failures-'));
const N = 2;
let policy: Awaited<ReturnType<typeof startStub>>;

before(async () => {
  policy = await startStub({
    chat: (body) =>
      // The second problem's samples are refused, with a key-like token in the message.
      body.messages.some((message) => message.content.includes('Q1:'))
        ? {
            fault: {
              kind: 'status',
              status: 400,
              message: 'model refuses Q1 (key sk-abcdefghijklmnopqrstuvwx)',
            },
          }
        : { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'Two.\n\nSo \\boxed{2}.' })) },
  });
  const rows = Array.from({ length: 4 }, (_, i) =>
    JSON.stringify({ id: `q-${i}`, problem: `Q${i}: 1+1?`, answer: '2' }),
  );
  writeFileSync(join(dir, 'problems.jsonl'), rows.join('\n'));
  writeFileSync(
    join(dir, 'steplens.json'),
    JSON.stringify({
      policy: { baseUrl: policy.baseUrl, model: 'm', n: N, concurrency: 2, maxRetries: 0 },
      selfJudge: { mode: 'off' },
    }),
  );
});

after(async () => {
  await policy?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the shell is told how many samples failed, the first cause without the key, and how to ask again', async () => {
  const result = await runInProcess([
    'evaluate',
    join(dir, 'problems.jsonl'),
    '--config',
    join(dir, 'steplens.json'),
    '--out',
    join(dir, 'cli'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /\n2 of 8 samples failed, in 1 problem\(s\): they never vote and are left out of every figure\.\n/,
  );
  assert.match(result.stderr, /First failure \(problem q-1\): .*model refuses Q1/);
  assert.doesNotMatch(result.stderr, /sk-abcdefghijklmnopqrstuvwx/, 'the key is not repeated');
  assert.match(result.stderr, /--retry-failed to ask them again/);

  // --quiet says nothing of it on stderr; stdout's summary still counts them.
  const quiet = await runInProcess([
    'evaluate',
    join(dir, 'problems.jsonl'),
    '--config',
    join(dir, 'steplens.json'),
    '--out',
    join(dir, 'cli'),
    '--quiet',
  ]);
  assert.equal(quiet.stderr, '');
  assert.equal(JSON.parse(quiet.stdout).failedSamples, 2);
});

test('a rerun that reuses failed samples counts them in its progress; the plan says they stay failed', async () => {
  const config = RunConfigSchema.parse(JSON.parse(readFileSync(join(dir, 'steplens.json'), 'utf8')));
  const job = {
    files: [join(dir, 'problems.jsonl')],
    loaded: { config, templates: {}, templateHashes: {} },
    out: join(dir, 'job'),
    resolveKey: environmentKeys,
  };
  const first: DatasetProgress[] = [];
  await runDataset({ ...job, onProgress: (progress) => first.push(progress) });
  const again: DatasetProgress[] = [];
  const rerun = await runDataset({ ...job, onProgress: (progress) => again.push(progress) });
  assert.equal(rerun.reused, 4, 'everything was reused');
  assert.equal(first.at(-1)!.failedSamples, 2);
  assert.equal(
    again.at(-1)!.failedSamples,
    2,
    'the reused failures are counted as the first run counted them',
  );

  const plan = await planDataset(job);
  assert.equal(plan.failedKept, 2);
  assert.match(planText(plan), /\nFailed samples: 2, kept as failed .*--retry-failed/);
  const retrying = await planDataset({ ...job, retryFailed: true });
  assert.equal(retrying.failedKept, 0, 'asked again, they are no longer kept');
  assert.doesNotMatch(planText(retrying), /Failed samples/);
});
