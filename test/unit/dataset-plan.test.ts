/**
 * Evaluate Dataset's pure helpers (src/host/datasetPlan.ts): k validation, the source record's
 * files kept inside the workspace, the plan's estimate and when it is confirmed, the progress line
 * and closing message, and the Datasets view's status of each dataset folder read from disk.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import type { DatasetIndex } from '../../src/core/dataset.js';
import {
  CONFIRM_REQUESTS,
  type DatasetSource,
  datasetOutcomeMessage,
  listDatasets,
  needsConfirm,
  problemDescription,
  relativeInside,
  SOURCE_FILE,
  sourceFiles,
  statusDescription,
  validateK,
} from '../../src/host/datasetPlan.js';
import { type DatasetProgress, planDataset } from '../../src/jobs/dataset.js';
import { runFileOf } from '../../src/jobs/datasetFailures.js';
import { datasetProgressLine, planText, samplesEta, summarizePlan } from '../../src/jobs/progressText.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'steplens-dsplan-'));

test('k: a whole number from 1 to 1024', () => {
  assert.equal(validateK('4'), undefined);
  assert.equal(validateK(' 64 '), undefined);
  assert.equal(validateK('1024'), undefined);
  for (const bad of ['0', '1025', '2.5', '-1', '', 'four', '1e3'])
    assert.ok(validateK(bad), `${JSON.stringify(bad)} is refused`);
});

test('a source record names problems files inside the workspace folder only', () => {
  const source: DatasetSource = {
    schemaVersion: 1,
    files: ['data/aime.jsonl'],
    problems: 3,
    k: 2,
    judges: [],
  };
  assert.deepEqual(sourceFiles('/ws', source, 'rec'), ['/ws/data/aime.jsonl']);
  assert.equal(relativeInside('/ws', '/ws/data/aime.jsonl'), 'data/aime.jsonl');
  assert.equal(relativeInside('/ws', '/elsewhere/aime.jsonl'), undefined);
  // A cloned repository's record must not send any local file's text as a "problem".
  for (const file of ['../secrets.txt', '/etc/passwd.txt', 'data/../../x.md', 'notes/id_rsa'])
    assert.throws(() => sourceFiles('/ws', { ...source, files: [file] }, 'rec'), /^Error: rec: /, file);
});

/** Three problems, k samples, Self-PRM critic (4 critiques) and one pooling PRM (batches of 8). */
async function planFor(k: number, problems: number, price = false) {
  const dir = tmp();
  const file = join(dir, 'aime.jsonl');
  writeFileSync(
    file,
    Array.from({ length: problems }, (_, i) =>
      JSON.stringify({ id: `p${i}`, problem: `Q${i}?`, answer: '5' }),
    ).join('\n'),
  );
  const priced = price ? { price: { inputPerMillion: 1, outputPerMillion: 2 } } : {};
  const config = RunConfigSchema.parse({
    policy: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', n: k, maxTokens: 1000, ...priced },
    selfJudge: { mode: 'critic', samples: 4, maxTokens: 100 },
    prms: [{ id: 'prm', kind: 'vllm-pooling', baseUrl: 'http://127.0.0.1:2', model: 'p', batchSize: 8 }],
  });
  return planDataset({
    files: [file],
    loaded: { config, templates: {}, templateHashes: {} },
    out: join(dir, 'out'),
  });
}

test('the plan: requests over every source, tokens at the limits, cost when priced; large ones are confirmed', async () => {
  const small = await planFor(2, 3);
  const summary = summarizePlan(small);
  // Sampling 3–6 (n in one request or one each), critiques 6–24, PRM 1–6.
  assert.deepEqual(summary.requests, { low: 3 + 6 + 1, high: 6 + 24 + 6 });
  assert.equal(summary.upperBound, true);
  assert.equal(summary.cost, null);
  assert.equal(needsConfirm(summary), false, '36 requests: no question');
  const text = planText(small, summary);
  assert.match(text, /^3 problem\(s\): 0 complete, 3 to run\.\nRequests: 10–36\.\n/);
  assert.match(text, /Tokens: .* in \+ .* out \(at most: counted at maxTokens/);
  assert.match(text, /Cost: no prices configured/);

  // 20 problems × k = 8 with 4 critiques each: 160 + 640 + 160 = 960 requests at most.
  const large = summarizePlan(await planFor(8, 20));
  assert.equal(large.requests.high, 960);
  assert.ok(large.requests.high >= CONFIRM_REQUESTS);
  assert.equal(needsConfirm(large), true);

  // Few requests but priced at more than a dollar: asked too.
  const priced = await planFor(2, 3, true);
  const pricedSummary = summarizePlan(priced);
  assert.ok(pricedSummary.cost !== null && pricedSummary.cost > 0);
  assert.match(planText(priced), /Cost: about \$\d+\.\d\d \(no price for prm\)\./);
  assert.equal(needsConfirm({ ...pricedSummary, cost: 1.5 }), true);
  assert.equal(needsConfirm({ ...pricedSummary, cost: 0.5 }), false);
});

const progress = (over: Partial<DatasetProgress> = {}): DatasetProgress => ({
  problemsDone: 1,
  problems: 3,
  reused: 0,
  samplesDone: 4,
  samplesTotal: 6,
  judgementsDone: 8,
  failedSamples: 0,
  usage: { promptTokens: 1200, completionTokens: 3400 },
  usageBySource: {},
  cost: { total: null, bySource: {}, unpriced: [] },
  requests: 17,
  requestsInFlight: 0,
  ...over,
});

test('progress: problems, samples, judgements, requests, tokens, cost when priced, ETA from fresh samples', () => {
  assert.equal(
    datasetProgressLine(progress(), undefined),
    'problems 1/3 · samples 4/6 · judgements 8 · requests 17 · tokens 4.6k',
  );
  assert.equal(
    datasetProgressLine(
      progress({ reused: 1, failedSamples: 1, cost: { total: 0.125, bySource: {}, unpriced: [] } }),
      65,
    ),
    'problems 1/3 (1 reused) · samples 4/6 (1 failed) · judgements 8 · requests 17 · tokens 4.6k · $0.13 · ETA 1m 05s',
  );
  // Requests sent and not answered yet are told apart from the ones done.
  assert.equal(
    datasetProgressLine(progress({ requestsInFlight: 3 }), undefined),
    'problems 1/3 · samples 4/6 · judgements 8 · requests 17 (3 in flight) · tokens 4.6k',
  );
  // Samples reused at the start do not count towards the pace.
  assert.equal(samplesEta({ at: 0, samples: 4 }, { at: 5000, samples: 4, total: 10 }), undefined);
  assert.equal(samplesEta({ at: 0, samples: 4 }, { at: 4000, samples: 6, total: 10 }), 8);
});

test('the closing message: complete, or partial and resumable with how to resume', () => {
  const base = {
    folder: '.steplens/datasets/aime',
    problems: 3,
    finished: 3,
    reused: 0,
    requests: 36,
    tokens: 4600,
    cost: null,
    complete: true,
    excluded: 0,
    samples: 6,
    failedSamples: 0,
  };
  assert.equal(
    datasetOutcomeMessage(base),
    'StepLens: dataset .steplens/datasets/aime complete: 3 problem(s), 0 reused (36 request(s), 4.6k tokens); the report is open.',
  );
  // Samples failed: finished, but said plainly (every sample failed: datasets-failed-status.test.ts).
  assert.match(
    datasetOutcomeMessage({ ...base, failedSamples: 2 }),
    /complete: .*the report is open\. 2 of 6 sample\(s\) failed: they are left out of every figure; the dataset's tooltip in the StepLens Datasets view names the first error, and each problem's run every one\.$/,
  );
  const partial = datasetOutcomeMessage({ ...base, finished: 1, complete: false, cost: 0.5, excluded: 2 });
  assert.match(
    partial,
    /stopped after 1 of 3 problem\(s\) \(36 request\(s\), 4\.6k tokens, \$0\.50\): partial, resumable\./,
  );
  assert.match(partial, /Datasets view, or run Evaluate Dataset on the same file again/);
  assert.match(partial, /2 row\(s\) excluded/);
});

function index(problems: DatasetIndex['problems'], complete: boolean, cost: number | null): DatasetIndex {
  return {
    schemaVersion: 1,
    samplesPerProblem: 2,
    problemsTotal: problems.length,
    judges: [],
    thresholds: {},
    usage: {},
    cost: { total: cost, bySource: {}, unpriced: [] },
    complete,
    problems,
    excluded: [],
  };
}

const problem = (id: string, correct: boolean[]): DatasetIndex['problems'][number] => ({
  id,
  run: `runs/${id}.json`,
  reference: '5',
  samples: correct.map((right, index) => ({
    index,
    answer: right ? '5' : '7',
    correct: right,
    steps: 3,
    judges: {},
  })),
  usage: { sampling: { promptTokens: 0, completionTokens: 0 }, judges: {} },
});

test('the Datasets view: each folder with finished/total, complete or partial, cost; no run file opened', async () => {
  const root = tmp();
  const datasets = join(root, '.steplens', 'datasets');
  const make = (name: string, runs: string[], files: Record<string, string>) => {
    const out = join(datasets, name);
    mkdirSync(join(out, 'runs'), { recursive: true });
    // Run files are garbage on purpose: the status must not parse them.
    for (const run of runs) writeFileSync(join(out, 'runs', run), 'not json');
    for (const [file, text] of Object.entries(files)) writeFileSync(join(out, file), text);
    return out;
  };
  const source = (problems: number): string =>
    JSON.stringify({ schemaVersion: 1, files: ['aime.jsonl'], problems, k: 2, judges: ['self'] });
  make('aime', ['p0.json', 'p1.json', 'p2.json'], {
    [SOURCE_FILE]: source(3),
    'dataset.json': JSON.stringify(
      index(
        [problem('p0', [true, true]), problem('p1', [true, false]), problem('p2', [false, false])],
        true,
        0.25,
      ),
    ),
  });
  // Cancelled: one finished, one in progress, the index of the finished one.
  make('gsm8k', ['g0.json', 'g1.journal.jsonl'], {
    [SOURCE_FILE]: source(3),
    'dataset.json': JSON.stringify(index([problem('g0', [true, true])], false, null)),
  });
  // Started from the CLI and killed before its first index: no source, no dataset.json.
  make('cli', ['c0.json'], {});
  // A hand-broken record is named, not fatal.
  make('zbroken', [], { [SOURCE_FILE]: '{"schemaVersion": 2}' });
  writeFileSync(join(datasets, 'stray.txt'), 'not a folder');

  const running = join(datasets, 'cli');
  const list = await listDatasets(root, (out) => out === running);
  assert.deepEqual(
    list.map((status) => [
      status.name,
      status.finished,
      status.inProgress,
      status.total,
      status.state,
      status.cost,
    ]),
    [
      ['aime', 3, 0, 3, 'complete', 0.25],
      ['cli', 1, 0, undefined, 'running', undefined],
      ['gsm8k', 1, 1, 3, 'partial', null],
      ['zbroken', 0, 0, undefined, 'partial', undefined],
    ],
  );
  assert.deepEqual(list.map(statusDescription), [
    '3/3 · complete · $0.25',
    '1 finished · running',
    '1/3 · partial',
    '0 finished · partial',
  ]);
  // Failed samples are on the row, not only in the report.
  assert.equal(
    statusDescription({ ...list[0]!, samples: 6, failedSamples: 2 }),
    '3/3 · complete · 2 of 6 samples failed · $0.25',
  );
  assert.match(list[3]!.problemsReading.join('\n'), /dataset-source\.json: /);
  assert.deepEqual(await listDatasets(tmp()), [], 'no datasets folder: nothing');

  assert.equal(problemDescription(problem('p1', [true, false])), '1/2 correct');
  assert.equal(runFileOf('/ws/d', 'runs/p1.json'), '/ws/d/runs/p1.json');
  for (const bad of ['../x.json', 'runs/../../x.json', '/etc/x.json', 'runs/a/b.json', 'runs/x.txt'])
    assert.throws(() => runFileOf('/ws/d', bad), Error, bad);
});
