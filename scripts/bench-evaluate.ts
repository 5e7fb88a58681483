/**
 * `steplens evaluate` at ProcessBench's size (issue 12): 3,400 rows in the published shape — gsm8k
 * 400 (a JSON array), math, olympiadbench and omnimath 1,000 each (JSONL) — made by replicating the
 * 40 fixture rows under fresh ids, judged in-process by evaluateDataset (real HTTP, the real openai
 * client) against a chat stub and a /pooling stub that each answer after 50 ms. The stubs run in a
 * child process, so their CPU and the requests they record count neither against the wall time nor
 * the memory measured here.
 *
 * Prints, median and range of several runs (BENCH_RUNS, default 3): wall time / latency-bound ideal
 * (each endpoint: ceil(requests it must serve / its concurrency) × 50 ms, the slowest endpoint's
 * figure), requests per endpoint, peak RSS and heap used (sampled during the run); the time of a
 * resume (every row reused); then one run at 10,000 rows (BENCH_EVALUATE_LARGE; 0 skips it) to
 * show memory does not grow with the rows beyond the per-row results. BENCH_ROWS_IN_FLIGHT
 * overrides the job's rows in flight (default: defaultRowsInFlight of the config);
 * BENCH_PRM_CONCURRENCY the PRM's concurrency (default 4; 1 makes the PRM the slowest endpoint).
 */

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RunConfigSchema } from '../src/core/config.js';
import { evaluateDataset } from '../src/jobs/evaluate.js';
import {
  type ChatRequestBody,
  poolingInputs,
  rewardPairs,
  startStub,
  stepsIn,
} from '../test/fixtures/stubServer.js';
import { type ProcessBenchRow, processBenchRows } from '../test/support.js';
import type { BenchRow } from './bench-pipeline.js';

const LATENCY_MS = 50;
const POLICY_CONCURRENCY = 16;
const CRITIQUES = 4;
const PRM_CONCURRENCY = Number(process.env.BENCH_PRM_CONCURRENCY ?? 4);
const PRM_BATCH = 8;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LARGE = Number(process.env.BENCH_EVALUATE_LARGE ?? 10_000);
/** ProcessBench's published subset sizes. */
const SUBSETS = [
  ['gsm8k', 400],
  ['math', 1000],
  ['olympiadbench', 1000],
  ['omnimath', 1000],
] as const;

// ---------------------------------------------------------------------------------------------
// The stubs, in a child process: `--serve-stubs`.

interface Counts {
  chat: number;
  pooling: number;
  pooledInputs: number;
  /** The stubs' CPU time since the last count. */
  cpuMs?: number;
}

async function serveStubs(): Promise<void> {
  const counts: Counts = { chat: 0, pooling: 0, pooledInputs: 0 };
  let cpu = process.cpuUsage();
  // vLLM's server keeps an idle connection 5 s (uvicorn's timeout_keep_alive), so clients reuse it.
  const keepAliveTimeoutMs = 5000;
  const policy = await startStub({
    keepAliveTimeoutMs,
    chat: (body: ChatRequestBody) => {
      counts.chat += 1;
      // The critic names a paragraph that exists (or none), from the prompt alone: no row lookup.
      const prompt = body.messages.map((message) => message.content).join('\n');
      const paragraphs = prompt.split('</paragraph_').length - 1;
      const verdict = (prompt.length % (paragraphs + 1)) - 1;
      return {
        latencyMs: LATENCY_MS,
        choices: Array.from({ length: body.n ?? 1 }, () => ({
          content: `Checking each paragraph.\n\nThe earliest error: \\boxed{${verdict}}`,
        })),
      };
    },
  });
  const prm = await startStub({
    keepAliveTimeoutMs,
    pooling: (body) => {
      const inputs = poolingInputs(body);
      counts.pooling += 1;
      counts.pooledInputs += inputs.length;
      return {
        latencyMs: LATENCY_MS,
        data: inputs.map((input) => {
          const steps = stepsIn(input);
          return rewardPairs(
            Array.from({ length: steps }, (_, step) => (step === input.length % 7 ? 0.2 : 0.9)),
          );
        }),
      };
    },
  });
  // The stubs keep every request for tests; a bench of thousands has no use for them.
  const forget = setInterval(() => {
    policy.requests.length = 0;
    prm.requests.length = 0;
  }, 1000);
  process.on('message', (message: string) => {
    if (message === 'counts') {
      const used = process.cpuUsage(cpu);
      process.send!({ counts: { ...counts, cpuMs: (used.user + used.system) / 1000 } });
      cpu = process.cpuUsage();
      counts.chat = 0;
      counts.pooling = 0;
      counts.pooledInputs = 0;
    } else if (message === 'stop') {
      clearInterval(forget);
      void Promise.all([policy.close(), prm.close()]).then(() => process.exit(0));
    }
  });
  process.send!({ policy: policy.baseUrl, prm: prm.url });
}

interface Stubs {
  policy: string;
  prm: string;
  counts(): Promise<Counts>;
  stop(): Promise<void>;
}

function startStubProcess(): Promise<Stubs> {
  const child = fork(__filename, ['--serve-stubs'], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { policy: string; prm: string }) =>
      resolve({
        ...message,
        counts: () =>
          new Promise((answer) => {
            child.once('message', (reply: { counts: Counts }) => answer(reply.counts));
            child.send('counts');
          }),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.send('stop');
          }),
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// The dataset and the config.

/** The fixture rows of each subset, replicated under fresh ids to ProcessBench's sizes (or `rows` in the same proportions). */
function writeDataset(dir: string, rows: number): string[] {
  const fixture = processBenchRows();
  const files: string[] = [];
  let written = 0;
  for (const [index, [subset, size]] of SUBSETS.entries()) {
    const mine = fixture.filter((row) => row.id.startsWith(`${subset}-`));
    const count = index === SUBSETS.length - 1 ? rows - written : Math.round((size * rows) / 3400);
    written += count;
    const replicated: ProcessBenchRow[] = Array.from({ length: count }, (_, i) => ({
      ...mine[i % mine.length]!,
      id: `${subset}-${i}`,
    }));
    const file = join(dir, `${subset}.${subset === 'gsm8k' ? 'json' : 'jsonl'}`);
    writeFileSync(
      file,
      subset === 'gsm8k'
        ? JSON.stringify(replicated)
        : replicated.map((row) => JSON.stringify(row)).join('\n'),
    );
    files.push(file);
  }
  return files;
}

function loaded(stubs: Stubs) {
  return {
    config: RunConfigSchema.parse({
      policy: {
        baseUrl: stubs.policy,
        model: 'bench-policy',
        concurrency: POLICY_CONCURRENCY,
        timeoutMs: 30_000,
      },
      selfJudge: { mode: 'critic', samples: CRITIQUES },
      prms: [
        {
          id: 'prm',
          kind: 'vllm-pooling',
          baseUrl: stubs.prm,
          model: 'bench-prm',
          concurrency: PRM_CONCURRENCY,
          batchSize: PRM_BATCH,
        },
      ],
    }),
    templates: {},
    templateHashes: {},
  };
}

/** The latency-bound ideal: the busiest endpoint's rounds of requests, every slot always busy. */
function idealMs(rows: number): { ms: number; policy: number; pooling: number } {
  const policy = rows; // one critique request per row (n = k)
  const pooling = Math.ceil(rows / PRM_BATCH);
  return {
    ms: Math.max(
      Math.ceil(policy / POLICY_CONCURRENCY) * LATENCY_MS,
      Math.ceil(pooling / PRM_CONCURRENCY) * LATENCY_MS,
    ),
    policy,
    pooling,
  };
}

/** Peak RSS and heap used, sampled every 10 ms. */
function memorySampler() {
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 10);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMiB: rss / 2 ** 20, heapMiB: heap / 2 ** 20 };
    },
  };
}

interface Measure {
  rows: number;
  wallMs: number;
  idealMs: number;
  counts: Counts;
  expected: { policy: number; pooling: number };
  rssMiB: number;
  heapMiB: number;
  /** The machine's 1-minute load average before and after the run (2 cores shared with others). */
  load: [number, number];
  /** The share of the wall time the event loop was busy (its utilization). */
  busy: number;
  /** Heap used after a full collection halfway through the rows. */
  retainedMiB: number;
  /** This process's CPU time (the stubs' apart) per row judged: less noisy than the wall time. */
  cpuMsPerRow: number;
  resumeMs: number;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function once(stubs: Stubs, rows: number): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bench-evaluate-'));
  try {
    const files = writeDataset(dir, rows);
    let retainedMiB = 0;
    const job = {
      files,
      loaded: loaded(stubs),
      out: join(dir, 'out'),
      tauSubset: 'gsm8k',
      resolveKey: () => undefined,
      ...(process.env.BENCH_ROWS_IN_FLIGHT ? { concurrency: Number(process.env.BENCH_ROWS_IN_FLIGHT) } : {}),
    };
    await stubs.counts();
    gc();
    const loadBefore = loadavg()[0]!;
    const memory = memorySampler();
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    const outcome = await evaluateDataset({
      ...job,
      // Halfway, what the job holds: the heap after a full collection.
      onProgress: ({ done, total }) => {
        if (done !== Math.floor(total / 2)) return;
        gc();
        retainedMiB = process.memoryUsage().heapUsed / 2 ** 20;
      },
    });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const load: [number, number] = [loadBefore, loadavg()[0]!];
    const busy = performance.eventLoopUtilization(elu).utilization;
    const { rssMiB, heapMiB } = memory.stop();
    const counts = await stubs.counts();
    if (!outcome.complete || outcome.judged !== outcome.rows)
      throw new Error(`the benchmark run is incomplete: ${JSON.stringify(outcome)}`);
    const failed = Object.values(outcome.report.judgeEvaluation).some((judge) =>
      Object.values(judge.subsets).some((subset) => subset.failed > 0),
    );
    if (failed) throw new Error('a judge failed on some row');

    const resumeStarted = performance.now();
    const resumed = await evaluateDataset(job);
    const resumeMs = performance.now() - resumeStarted;
    if (resumed.reused !== outcome.rows) throw new Error(`the resume reused ${resumed.reused} rows`);
    const resumeCounts = await stubs.counts();
    if (resumeCounts.chat + resumeCounts.pooling > 0) throw new Error('the resume sent requests');

    const ideal = idealMs(outcome.rows);
    return {
      rows: outcome.rows,
      wallMs,
      idealMs: ideal.ms,
      counts,
      expected: { policy: ideal.policy, pooling: ideal.pooling },
      rssMiB,
      heapMiB,
      retainedMiB,
      load,
      busy,
      cpuMsPerRow: (used.user + used.system) / 1000 / outcome.rows,
      resumeMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

function describe(m: Measure): string {
  return [
    `rows ${m.rows}`,
    `wall ${m.wallMs.toFixed(0)} ms / ideal ${m.idealMs} ms = ${(m.wallMs / m.idealMs).toFixed(3)}`,
    `chat ${m.counts.chat} (ideal ${m.expected.policy})`,
    `pooling ${m.counts.pooling} (ideal ${m.expected.pooling}; ${(m.counts.pooledInputs / m.counts.pooling).toFixed(2)} inputs each)`,
    `CPU ${m.cpuMsPerRow.toFixed(2)} ms/row (stubs ${((m.counts.cpuMs ?? 0) / m.rows).toFixed(2)})`,
    `event loop busy ${(m.busy * 100).toFixed(0)}%`,
    `load ${m.load.map((load) => load.toFixed(1)).join('/')}`,
    `peak RSS ${m.rssMiB.toFixed(0)} MiB, heap ${m.heapMiB.toFixed(0)} MiB, retained halfway ${m.retainedMiB.toFixed(1)} MiB`,
    `resume ${m.resumeMs.toFixed(0)} ms`,
  ].join(' · ');
}

export async function benchEvaluate(options: { large?: boolean; log?: boolean } = {}): Promise<BenchRow[]> {
  const log = options.log ? (text: string) => console.log(text) : () => {};
  const stubs = await startStubProcess();
  try {
    const runs: Measure[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await once(stubs, 3400));
      log(`run ${run + 1}: ${describe(runs.at(-1)!)}`);
    }
    const ratios = runs.map((m) => m.wallMs / m.idealMs);
    const resumes = runs.map((m) => m.resumeMs);
    const cpus = runs.map((m) => m.cpuMsPerRow);
    log(
      `3,400 rows, ${RUNS} runs: wall/ideal median ${median(ratios).toFixed(3)} (range ${range(ratios, 3)}); ` +
        `peak RSS median ${median(runs.map((m) => m.rssMiB)).toFixed(0)} MiB (range ${range(
          runs.map((m) => m.rssMiB),
          0,
        )}), heap median ${median(runs.map((m) => m.heapMiB)).toFixed(0)} MiB (range ${range(
          runs.map((m) => m.heapMiB),
          0,
        )}), retained halfway median ${median(runs.map((m) => m.retainedMiB)).toFixed(1)} MiB; CPU median ${median(cpus).toFixed(2)} ms/row (range ${range(cpus, 2)}); resume median ${median(resumes).toFixed(0)} ms (range ${range(resumes, 0)})`,
    );
    if (options.large && LARGE > 0) {
      const large = await once(stubs, LARGE);
      log(`${LARGE.toLocaleString('en')} rows: ${describe(large)}`);
    }
    const ideal = runs[0]!.idealMs;
    return [
      {
        name: `evaluate 3,400 rows (50 ms stubs, c=${POLICY_CONCURRENCY}, PRM ${PRM_CONCURRENCY}×${PRM_BATCH})`,
        value: median(runs.map((m) => m.wallMs)),
        unit: 'ms',
        reference: ideal,
        referenceName: 'latency-bound ideal',
      },
      {
        name: 'evaluate 3,400 rows: resume (all reused)',
        value: median(resumes),
        unit: 'ms',
        reference: ideal,
        referenceName: 'the judging run’s ideal',
      },
    ];
  } finally {
    await stubs.stop();
  }
}

if (require.main === module) {
  if (process.argv.includes('--serve-stubs')) void serveStubs();
  else void benchEvaluate({ large: true, log: true });
}
