/**
 * A dataset whose samples failed never looks finished and fine in the Datasets view
 * (src/host/datasetPlan.ts: the row's description, icon, tooltip lines and click): found in a
 * new-user trial where every sample of the demo's math-aime.jsonl failed (the demo endpoint knows
 * only ProcessBench problems) and the row read "2/2 · complete" with a ✓. The last tests drive a
 * real 127.0.0.1 endpoint that refuses sampling through the dataset job and read the folder's status.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import {
  clickText,
  type DatasetStatus,
  datasetOutcomeMessage,
  datasetStatus,
  failureLines,
  statusDescription,
  statusIcon,
} from '../../src/host/datasetPlan.js';
import { runDataset } from '../../src/jobs/dataset.js';
import { environmentKeys } from '../../src/llm/judges.js';
import { startStub } from '../fixtures/stubServer.js';

const dir = mkdtempSync(join(tmpdir(), 'steplens-failed-status-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const complete: DatasetStatus = {
  name: 'aime',
  out: '/ws/.steplens/datasets/aime',
  finished: 2,
  inProgress: 0,
  total: 2,
  state: 'complete',
  cost: 0.25,
  samples: 8,
  failedSamples: 0,
  failedProblems: 0,
  source: undefined,
  problemsReading: [],
};
const allFailed: DatasetStatus = {
  ...complete,
  cost: null,
  failedSamples: 8,
  failedProblems: 2,
  firstFailure: {
    problem: 'algebra/quadratic-1',
    message: 'm at http://127.0.0.1:8000/v1: HTTP 400: no recording',
  },
};
const someFailed: DatasetStatus = {
  ...complete,
  finished: 5,
  total: 5,
  samples: 128,
  failedSamples: 37,
  failedProblems: 3,
  firstFailure: { problem: 'p3', message: 'HTTP 429: slow down' },
};

test('a clean complete dataset: a ✓, its report on click', () => {
  assert.equal(statusDescription(complete), '2/2 · complete · $0.25');
  assert.deepEqual(statusIcon(complete), { id: 'pass' });
  assert.deepEqual(failureLines(complete), []);
  assert.equal(clickText(complete), 'Click: open the report');
});

test('every sample failed: an error icon, "every sample failed", no report on click', () => {
  assert.equal(statusDescription(allFailed), '2/2 · every sample failed');
  assert.deepEqual(statusIcon(allFailed), { id: 'error', color: 'problemsErrorIcon.foreground' });
  assert.deepEqual(failureLines(allFailed), [
    'Every sample failed: 8 of 8 in 2 problem(s), so there is no answer, vote or figure to report.',
    'First failure (problem algebra/quadratic-1): m at http://127.0.0.1:8000/v1: HTTP 400: no recording',
    'Where to look: expand the dataset; each problem says how many of its samples failed and opens its run, which shows every error.',
  ]);
  assert.match(clickText(allFailed), /^Click: no report .*ask the failed samples again$/);
  // Not yet finished and nothing answered so far: resumable, but never a pause icon that looks calm.
  const partial = { ...allFailed, finished: 1, state: 'partial' as const };
  assert.equal(statusDescription(partial), '1/2 · partial · every sample so far failed');
  assert.equal(statusIcon(partial).id, 'error');
  assert.equal(clickText(partial), 'Click: resume (finished work is kept)');
});

test('some samples failed: complete with failures, distinct from clean complete', () => {
  assert.equal(statusDescription(someFailed), '5/5 · complete · 37 of 128 samples failed · $0.25');
  assert.deepEqual(statusIcon(someFailed), { id: 'warning', color: 'problemsWarningIcon.foreground' });
  assert.equal(
    failureLines(someFailed)[0],
    '37 of 128 samples failed, in 3 of 5 problem(s): they never vote and are left out of every figure.',
  );
  assert.equal(failureLines(someFailed)[1], 'First failure (problem p3): HTTP 429: slow down');
  assert.match(
    clickText(someFailed),
    /^Click: open the report \(its figures leave the failed samples out\)$/,
  );
  assert.equal(statusIcon({ ...someFailed, state: 'partial' }).id, 'debug-pause');
  assert.equal(statusIcon({ ...someFailed, state: 'running' }).id, 'sync~spin');
});

test('the first failure is shown redacted, on one line, cut short', () => {
  const key = 'sk-proj-abcdEFGH12345678';
  const lines = failureLines({
    ...allFailed,
    firstFailure: {
      problem: 'p1',
      message: `HTTP 401: Incorrect API key provided: ${key}\n<html>${'x'.repeat(1000)}</html>`,
    },
  });
  assert.ok(!lines.join('\n').includes(key), 'the key never reaches the tooltip');
  assert.match(
    lines[1]!,
    /^First failure \(problem p1\): HTTP 401: Incorrect API key provided: \[redacted\] <html>x+…$/,
  );
  assert.ok(lines[1]!.length < 400, lines[1]!.length.toString());
  // A run file that names no error still points at the problem.
  assert.equal(
    failureLines({ ...allFailed, firstFailure: { problem: 'p1' } })[1],
    'First failure: problem p1 (its run names the error).',
  );
});

test('the closing message of an all-failed run says so and opens no report', () => {
  const summary = {
    folder: '.steplens/datasets/math-aime',
    problems: 2,
    finished: 2,
    reused: 0,
    requests: 8,
    tokens: 0,
    cost: null,
    complete: true,
    excluded: 0,
    samples: 8,
    failedSamples: 8,
    firstFailure: {
      problem: 'algebra/quadratic-1',
      message: 'HTTP 400: no recording of sk-abcdefgh12345678',
    },
  };
  const text = datasetOutcomeMessage(summary);
  assert.match(
    text,
    /^StepLens: dataset \.steplens\/datasets\/math-aime: every sample failed \(8 of 8, in 2 problem\(s\); 8 request\(s\), 0 tokens\), so there is no report to show\. First failure \(problem algebra\/quadratic-1\): HTTP 400: no recording of \[redacted\] Once the endpoint answers, click the dataset/,
  );
  assert.doesNotMatch(text, /report is open/);
  // Some failed: complete, the report open, the count named.
  assert.match(
    datasetOutcomeMessage({ ...summary, failedSamples: 3 }),
    /complete: .*the report is open\. 3 of 8 sample\(s\) failed/,
  );
});

const rows = [
  {
    unique_id: 'algebra/quadratic-1',
    problem: 'Find all real solutions of $x^2 + 2x - 15 = 0$.',
    answer: '3, -5',
  },
  { ID: 'aime-style-1', Problem: 'What is the remainder when $2^{10}$ is divided by $1000$?', Answer: 24 },
];

/** A dataset of `rows` at k = 4 against a policy endpoint that refuses the problems `refuses` picks. */
async function datasetAgainst(name: string, refuses: (prompt: string) => boolean): Promise<DatasetStatus> {
  const policy = await startStub({
    chat: (body) => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      if (refuses(prompt))
        return {
          fault: {
            kind: 'status',
            status: 400,
            message: 'demo endpoint: no recorded solution of this problem',
          },
        };
      return { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: 'So \\boxed{24}.' })) };
    },
  });
  try {
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    const config = RunConfigSchema.parse({
      policy: { baseUrl: policy.baseUrl, model: 'm', n: 4, maxRetries: 0 },
      selfJudge: { mode: 'off' },
    });
    const out = join(dir, name);
    const outcome = await runDataset({
      files: [file],
      loaded: { config, templates: {}, templateHashes: {} },
      out,
      resolveKey: environmentKeys,
    });
    assert.equal(outcome.complete, true, 'failed samples still finish their problems');
    return await datasetStatus(out, name, false);
  } finally {
    await policy.close();
  }
}

test('a real endpoint that refuses every sample: the folder reads "every sample failed", with the cause', async () => {
  const status = await datasetAgainst('all', () => true);
  assert.equal(status.state, 'complete');
  assert.equal(statusDescription(status), '2/2 · every sample failed');
  assert.equal(statusIcon(status).id, 'error');
  const lines = failureLines(status);
  assert.equal(
    lines[0],
    'Every sample failed: 8 of 8 in 2 problem(s), so there is no answer, vote or figure to report.',
  );
  assert.match(
    lines[1]!,
    /^First failure \(problem algebra\/quadratic-1\): m at http:\/\/127\.0\.0\.1:\d+\/v1: HTTP 400: demo endpoint: no recorded solution of this problem$/,
  );
});

test('a real endpoint that refuses one problem: complete with 4 of 8 failed, a warning', async () => {
  const status = await datasetAgainst('some', (prompt) => prompt.includes('x^2'));
  assert.equal(statusDescription(status), '2/2 · complete · 4 of 8 samples failed');
  assert.equal(statusIcon(status).id, 'warning');
  assert.match(failureLines(status)[0]!, /^4 of 8 samples failed, in 1 of 2 problem\(s\)/);
  const clean = await datasetAgainst('clean', () => false);
  assert.equal(statusDescription(clean), '2/2 · complete');
  assert.equal(statusIcon(clean).id, 'pass');
});
