/**
 * `npm run bench:dataset`: a dataset run at the paper's scale (issue 13). P problems (with
 * references) × k = 64 samples, each judged by Self-PRM (a critic, 4 critiques asked as one
 * request with n = 4) and one vLLM-pooling PRM, against stub endpoints answering after
 * 200 ms ± 20 % (seeded, uniform jitter), policy concurrency 32.
 *
 * Three processes, so that each figure belongs to what it measures:
 * - this one (the orchestrator) only spawns the others and prints the table;
 * - a stub process (`--stubs`): the policy stub (sampling streamed with n = 64, critiques with
 *   n = 4) and the PRM stub (/pooling), on real HTTP; it counts the requests of each kind;
 * - a runner process (`--run P`): `runDataset` in-process with the real `openai` client; its RSS
 *   is sampled every 20 ms during the run (and its kernel maxRSS read at the end), so the stubs'
 *   own memory is not counted.
 *
 * Ideal (latency-bound): for each endpoint, the fewest requests it must serve × the mean latency
 * (200 ms) / its concurrency; the larger of the two. Policy: P sampling requests (one per problem,
 * n = 64) + 64·P critique requests (one per sample, n = 4), concurrency 32. PRM: ⌈64·P / batch⌉
 * requests, concurrency PRM_CONCURRENCY. Streaming time beyond the latency, the tail (the last
 * problem's sampling then its critiques) and the client's own work all count against the run.
 *
 * Write amplification: every byte the runner writes through a file handle (FileHandle.write and
 * .writeFile wrapped, so journals, run files and index as they are written, temp files of atomic
 * writes included) minus the report and settings files, over what is kept at the end: the run
 * files plus dataset.json.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { RunConfigSchema } from '../src/core/config.js';
import { runDataset, writeDatasetReport } from '../src/jobs/dataset.js';
import { Limiter } from '../src/llm/limiter.js';
import {
  type ChatReply,
  type ChatRequestBody,
  type PoolingRequestBody,
  poolingInputs,
  rewardPairs,
  startStub,
  stepsIn,
} from '../test/fixtures/stubServer.js';
import type { BenchRow } from './bench-pipeline.js';

const N = 64;
const K = 4;
const CONCURRENCY = 32;
/** A PRM server takes batches well: 16 solutions a request, 8 requests at once (≈ 1/4 of the policy's time). */
const PRM_CONCURRENCY = 8;
const PRM_BATCH = 16;
const LATENCY_MS = 200;
const JITTER = 0.2;
/** Words per SSE chunk of the sampling stream (the stub's default is 4). */
const CHUNK_WORDS = Number(process.env.BENCH_CHUNK_WORDS ?? 16);
/**
 * Idle connections kept 5 s, as vLLM's uvicorn does. The stub's 1 s default makes Node's HTTP server
 * advertise `Keep-Alive: timeout=1`, which undici (fetch) reads as "do not reuse": every request
 * then opens a new TCP connection, a cost that is the stub's, not StepLens's.
 */
const KEEP_ALIVE = { keepAliveTimeoutMs: 5000 };
const RUNS = Number(process.env.BENCH_DATASET_RUNS ?? 3);
const SIZES = (process.env.BENCH_DATASET_SIZES ?? '200,100').split(',').map(Number);

// ------------------------------------------------------------------------------------------------
// The scripted world: problem i asks for i + 17; sample j is right unless (i + j) % 3 == 0.

const truth = (i: number) => i + 17;
const isRight = (i: number, j: number) => (i + j) % 3 !== 0;
function solutionText(i: number, j: number): string {
  const answer = isRight(i, j) ? truth(i) : truth(i) + 1;
  const filler =
    'We restate what is asked, name the quantities involved and check that every term is accounted for before moving on to the next part of the computation.';
  return [
    `[[P${i}/S${j}]] We start from the problem: it asks for ${i} plus 17. ${filler}`,
    `First we write ${i} as a sum of tens and units, then add the tens of 17. ${filler}`,
    `Next we add the units and carry where needed, which gives the partial result. ${filler}`,
    `Checking the sum once more by subtracting 17 from the result gives back ${i}. ${filler}`,
    `So the answer is \\boxed{${answer}}.`,
  ].join('\n\n');
}

function marked(text: string): { i: number; j: number } | undefined {
  const match = /\[\[P(\d+)\/S(\d+)\]\]/.exec(text);
  return match ? { i: Number(match[1]), j: Number(match[2]) } : undefined;
}

/** Seeded uniform jitter: LATENCY_MS ± JITTER. */
function latencies(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return LATENCY_MS * (1 + ((state / 2 ** 31) * 2 - 1) * JITTER);
  };
}

interface Counts {
  /** Chat requests in flight at the policy stub, time-averaged from its first request to its last answer. */
  policyInFlight: number;
  sampling: number;
  critique: number;
  pooling: number;
  poolingInputs: number;
  /** TCP connections the stubs accepted (policy, PRM). */
  connections: [number, number];
}

async function stubs(seed: number): Promise<void> {
  const latency = latencies(seed);
  const counts: Counts = {
    policyInFlight: 0,
    sampling: 0,
    critique: 0,
    pooling: 0,
    poolingInputs: 0,
    connections: [0, 0],
  };
  let inFlight = 0;
  let area = 0;
  let first: number | undefined;
  let last = 0;
  const track = (delta: number) => {
    const now = performance.now();
    first ??= now;
    area += inFlight * (now - last);
    last = now;
    inFlight += delta;
    counts.policyInFlight = area / (last - first || 1);
  };
  const policy = await startStub({
    ...KEEP_ALIVE,
    chunkSize: CHUNK_WORDS,
    chat: (body: ChatRequestBody): ChatReply => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      const n = body.n ?? 1;
      const solved = prompt.includes('<paragraph_0>') ? marked(prompt) : undefined;
      if (solved) {
        counts.critique += 1;
        // Right samples: three critiques find no error, one flags paragraph 2; wrong ones: paragraph 1
        // by three of four.
        const right = isRight(solved.i, solved.j);
        return {
          latencyMs: latency(),
          choices: Array.from({ length: n }, (_, c) => ({
            content: `Checking each paragraph in turn.\n\nThe earliest error: \\boxed{${right ? (c === 3 ? 2 : -1) : c === 0 ? -1 : 1}}`,
          })),
        };
      }
      counts.sampling += 1;
      const i = Number(/Problem (\d+)\./.exec(prompt)?.[1]);
      return {
        latencyMs: latency(),
        choices: Array.from({ length: n }, (_, j) => ({ content: solutionText(i, j) })),
      };
    },
  });
  const prm = await startStub({
    ...KEEP_ALIVE,
    pooling: (body: PoolingRequestBody) => {
      const inputs = poolingInputs(body);
      counts.pooling += 1;
      counts.poolingInputs += inputs.length;
      return {
        latencyMs: latency(),
        data: inputs.map((input) => {
          const solved = marked(input);
          const right = solved ? isRight(solved.i, solved.j) : false;
          return rewardPairs(
            [0.95, right ? 0.9 : 0.2, 0.9, right ? 0.85 : 0.3, 0.9].slice(0, stepsIn(input)),
          );
        }),
      };
    },
  });
  // Requests are recorded by the stub for tests; a bench of 13 000 requests does not need them.
  setInterval(() => {
    policy.requests.length = 0;
    prm.requests.length = 0;
  }, 1000).unref();
  policy.events.on('request', (path) => {
    if (path === '/v1/chat/completions') track(1);
  });
  policy.events.on('answered', (path) => {
    if (path === '/v1/chat/completions') track(-1);
  });
  process.send!({ policy: policy.baseUrl, prm: prm.url });
  process.on('message', async (message) => {
    if (message === 'counts')
      process.send!({ ...counts, connections: [policy.connections, prm.connections] });
    if (message === 'close') {
      await Promise.all([policy.close(), prm.close()]);
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// The runner: one dataset run, measured.

export interface RunResult {
  problems: number;
  wallMs: number;
  /** RSS before the run starts (node, tsx, the modules loaded). */
  startRssMiB: number;
  peakRssMiB: number;
  /** Peak RSS until the last problem finished (before the index and the report). */
  peakRssProblemsMiB: number;
  /** Heap used after a full GC at half of the problems and at the last (with --expose-gc). */
  retainedMiB: [number, number];
  maxRssMiB: number;
  peakHeapMiB: number;
  /** Peak of external + array-buffer memory. */
  peakExternalMiB: number;
  indexBytes: number;
  keptBytes: number;
  writtenBytes: number;
  syncs: number;
  reportMs: number;
  /** CPU time of the runner during the run (user + system). */
  cpuMs: number;
  /** Event-loop delay during the run: mean and p99. */
  loopDelayMs: { mean: number; p99: number };
  /** The policy limiter, sampled every 20 ms: mean slots taken, and the share of samples with a slot free and nothing queued. */
  policySlots: { mean: number; starved: number };
}

/** Counts every byte written through a FileHandle in this process (and every fsync). */
async function countWrites(dir: string): Promise<{ bytes: () => number; syncs: () => number }> {
  const probe = await open(join(dir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as {
    write: (...args: unknown[]) => Promise<unknown>;
    writeFile: (...args: unknown[]) => Promise<unknown>;
    sync: () => Promise<void>;
  };
  await probe.close();
  rmSync(join(dir, '.probe'));
  let bytes = 0;
  let syncs = 0;
  const size = (data: unknown) =>
    typeof data === 'string' ? Buffer.byteLength(data) : ((data as ArrayBufferView).byteLength ?? 0);
  const { write, writeFile, sync } = proto;
  proto.write = function (this: unknown, data: unknown, ...rest: unknown[]) {
    bytes += size(data);
    return write.call(this, data, ...rest);
  };
  proto.writeFile = function (this: unknown, data: unknown, ...rest: unknown[]) {
    bytes += size(data);
    return writeFile.call(this, data, ...rest);
  };
  proto.sync = function (this: unknown) {
    syncs += 1;
    return sync.call(this);
  };
  return { bytes: () => bytes, syncs: () => syncs };
}

async function runner(problems: number, policyUrl: string, prmUrl: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bench-dataset-'));
  try {
    const file = join(dir, 'problems.jsonl');
    writeFileSync(
      file,
      Array.from({ length: problems }, (_, i) =>
        JSON.stringify({
          id: `p-${i}`,
          problem: `Problem ${i}. What is ${i} plus 17?`,
          answer: `${truth(i)}`,
        }),
      ).join('\n'),
    );
    const config = RunConfigSchema.parse({
      policy: {
        baseUrl: policyUrl,
        model: 'bench-policy',
        n: N,
        concurrency: CONCURRENCY,
        timeoutMs: 60_000,
      },
      selfJudge: { mode: 'critic', samples: K },
      prms: [
        {
          id: 'prm',
          kind: 'vllm-pooling',
          baseUrl: prmUrl,
          model: 'bench-prm',
          concurrency: PRM_CONCURRENCY,
          batchSize: PRM_BATCH,
          timeoutMs: 60_000,
        },
      ],
    });
    const out = join(dir, 'out');
    const writes = await countWrites(dir);
    const startRss = process.memoryUsage().rss;
    let peakRss = 0;
    let peakHeap = 0;
    let peakExternal = 0;
    let peakRssProblems = 0;
    const retained = [0, 0];
    // The policy's limiter (the one of max CONCURRENCY), found as it is first used.
    let policyLimiter: Limiter | undefined;
    const run = Limiter.prototype.run;
    Limiter.prototype.run = function <T>(
      this: Limiter,
      task: () => Promise<T>,
      options?: { first?: boolean },
    ): Promise<T> {
      if (this.max === CONCURRENCY) policyLimiter ??= this;
      return run.call(this, task, options) as Promise<T>;
    };
    const slots = { samples: 0, taken: 0, starved: 0 };
    const trace: string[] | undefined = process.env.BENCH_SLOTS_TRACE ? [] : undefined;
    let started = performance.now();
    const sample = () => {
      if (policyLimiter) {
        slots.samples += 1;
        slots.taken += policyLimiter.running;
        if (policyLimiter.running < CONCURRENCY && policyLimiter.queued === 0) slots.starved += 1;
        trace?.push(
          `${(performance.now() - started).toFixed(0)} ${policyLimiter.running} ${policyLimiter.queued}`,
        );
      }
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
      peakExternal = Math.max(peakExternal, memory.external + memory.arrayBuffers);
    };
    const sampler = setInterval(sample, 20);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const cpuBefore = process.cpuUsage();
    started = performance.now();
    const outcome = await runDataset({
      files: [file],
      loaded: { config, templates: {}, templateHashes: {} },
      out,
      resolveKey: () => undefined,
      onProgress: (progress) => {
        const gc = (globalThis as { gc?: () => void }).gc;
        if (progress.problemsDone === Math.floor(problems / 2) && retained[0] === 0) {
          gc?.();
          retained[0] = process.memoryUsage().heapUsed;
          if (process.env.BENCH_HEAP_SNAPSHOT)
            writeHeapSnapshot(join(process.env.BENCH_HEAP_SNAPSHOT, `half-${problems}.heapsnapshot`));
        }
        if (progress.problemsDone === problems && retained[1] === 0) {
          sample();
          peakRssProblems = peakRss;
          gc?.();
          retained[1] = process.memoryUsage().heapUsed;
        }
      },
      ...(process.env.BENCH_PROBLEMS_IN_FLIGHT
        ? { concurrency: Number(process.env.BENCH_PROBLEMS_IN_FLIGHT) }
        : {}),
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    delay.disable();
    sample();
    clearInterval(sampler);
    if (!outcome.complete || outcome.progress.failedSamples > 0)
      throw new Error(`the benchmark run is incomplete: ${JSON.stringify(outcome.progress)}`);
    if (trace) writeFileSync(process.env.BENCH_SLOTS_TRACE!, trace.join('\n'));
    const written = writes.bytes();
    const syncs = writes.syncs();
    const reportStarted = performance.now();
    await writeDatasetReport(out, outcome.index);
    const reportMs = performance.now() - reportStarted;
    const sizeOf = (path: string) => statSync(path).size;
    const runs = readdirSync(join(out, 'runs'));
    if (runs.some((name) => name.endsWith('.jsonl'))) throw new Error('a journal was left behind');
    const indexBytes = sizeOf(join(out, 'dataset.json'));
    const keptBytes = runs.reduce((sum, name) => sum + sizeOf(join(out, 'runs', name)), 0) + indexBytes;
    const notCounted = ['report.json', 'report.md', 'dataset-settings.json'].reduce(
      (sum, name) => sum + sizeOf(join(out, name)),
      0,
    );
    return {
      problems,
      wallMs,
      startRssMiB: startRss / 2 ** 20,
      peakRssMiB: peakRss / 2 ** 20,
      peakRssProblemsMiB: peakRssProblems / 2 ** 20,
      retainedMiB: [retained[0]! / 2 ** 20, retained[1]! / 2 ** 20],
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: peakHeap / 2 ** 20,
      peakExternalMiB: peakExternal / 2 ** 20,
      indexBytes,
      keptBytes,
      writtenBytes: written - notCounted,
      syncs,
      reportMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      policySlots: { mean: slots.taken / slots.samples, starved: slots.starved / slots.samples },
      loopDelayMs: { mean: delay.mean / 1e6, p99: delay.percentile(99) / 1e6 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// The orchestrator.

const SELF = __filename;

function child(args: string[]): ChildProcess {
  return fork(SELF, args, {
    execArgv: [
      '--import',
      'tsx',
      // The runner collects garbage at half and at the end, to show what stays (not what waits for GC).
      ...(args[0] === '--run' ? ['--expose-gc'] : []),
      ...(process.env.BENCH_RUNNER_NODE_OPTIONS?.split(' ') ?? []),
    ].filter(Boolean),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function idealMs(problems: number): { ms: number; policy: number; prm: number } {
  const policy = (problems * (1 + N) * LATENCY_MS) / CONCURRENCY;
  const prm = (Math.ceil((problems * N) / PRM_BATCH) * LATENCY_MS) / PRM_CONCURRENCY;
  return { ms: Math.max(policy, prm), policy, prm };
}

function load(): string {
  try {
    return require('node:os').loadavg()[0].toFixed(2);
  } catch {
    return '?';
  }
}

export interface DatasetMeasure extends RunResult {
  idealMs: number;
  counts: Counts;
  loadBefore: string;
  loadAfter: string;
}

export async function measureOnce(problems: number, seed: number): Promise<DatasetMeasure> {
  const stubProcess = child(['--stubs', String(seed)]);
  const [urls] = (await once(stubProcess, 'message')) as [{ policy: string; prm: string }];
  const loadBefore = load();
  try {
    const run = child(['--run', String(problems), urls.policy, urls.prm]);
    const result = await new Promise<RunResult>((resolve, reject) => {
      run.once('message', (message) => resolve(message as RunResult));
      run.once('exit', (code) => reject(new Error(`the runner exited with ${code}`)));
    });
    stubProcess.send('counts');
    const [counts] = (await once(stubProcess, 'message')) as [Counts];
    return { ...result, idealMs: idealMs(problems).ms, counts, loadBefore, loadAfter: load() };
  } finally {
    stubProcess.send('close');
    await once(stubProcess, 'exit');
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchDataset(log: (line: string) => void = () => {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bySize = new Map<number, DatasetMeasure[]>();
  for (const [s, size] of SIZES.entries()) {
    const runs = s === 0 ? RUNS : 1;
    for (let r = 0; r < runs; r++) {
      const m = await measureOnce(size, 7 + r);
      log(
        `P=${size} run ${r + 1}: wall ${(m.wallMs / 1000).toFixed(1)} s / ideal ${(m.idealMs / 1000).toFixed(1)} s = ${(m.wallMs / m.idealMs).toFixed(3)}; ` +
          `policy in flight ${m.counts.policyInFlight.toFixed(1)} (client slots ${m.policySlots.mean.toFixed(1)}, starved ${(100 * m.policySlots.starved).toFixed(0)} %); cpu ${(m.cpuMs / 1000).toFixed(1)} s; loop delay ${m.loopDelayMs.mean.toFixed(1)} ms (p99 ${m.loopDelayMs.p99.toFixed(0)}); requests sampling ${m.counts.sampling}, critique ${m.counts.critique}, pooling ${m.counts.pooling} (${m.counts.poolingInputs} inputs), connections ${m.counts.connections.join(' + ')}; ` +
          `peak RSS ${m.peakRssMiB.toFixed(0)} MiB (at start ${m.startRssMiB.toFixed(0)}, until the last problem ${m.peakRssProblemsMiB.toFixed(0)}, retained after GC at half/end ${m.retainedMiB.map((v) => v.toFixed(0)).join('/')}, maxRSS ${m.maxRssMiB.toFixed(0)}, heap ${m.peakHeapMiB.toFixed(0)}, external ${m.peakExternalMiB.toFixed(0)}); ` +
          `index ${(m.indexBytes / 1024).toFixed(0)} KiB; written ${(m.writtenBytes / 2 ** 20).toFixed(1)} MiB / kept ${(m.keptBytes / 2 ** 20).toFixed(1)} MiB = ${(m.writtenBytes / m.keptBytes).toFixed(2)}, fsyncs ${m.syncs}; ` +
          `report ${m.reportMs.toFixed(0)} ms; load ${m.loadBefore} → ${m.loadAfter}`,
      );
      bySize.set(size, [...(bySize.get(size) ?? []), m]);
    }
  }
  for (const [size, measures] of bySize) {
    const ratios = measures.map((m) => m.wallMs / m.idealMs);
    const label = `dataset P=${size} k=${N} (${K} critiques + 1 PRM) c=${CONCURRENCY}`;
    rows.push({
      name: `${label}${measures.length > 1 ? ` [range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}]` : ''}`,
      value: median(measures.map((m) => m.wallMs)),
      unit: 'ms',
      reference: measures[0]!.idealMs,
      referenceName: 'latency-bound ideal',
    });
    rows.push({
      name: `dataset P=${size}: peak RSS`,
      value: Math.max(...measures.map((m) => m.peakRssMiB)),
      unit: 'MiB',
      reference: 300,
      referenceName: 'budget',
    });
    if (measures.length > 1) {
      const first = measures[0]!;
      rows.push({
        name: `dataset P=${size}: dataset.json`,
        value: first.indexBytes / 1024,
        unit: 'KiB',
        reference: (first.keptBytes - first.indexBytes) / 1024,
        referenceName: 'run files',
      });
      rows.push({
        name: `dataset P=${size}: bytes written`,
        value: first.writtenBytes / 2 ** 20,
        unit: 'MiB',
        reference: first.keptBytes / 2 ** 20,
        referenceName: 'bytes kept (runs + index)',
      });
      rows.push({
        name: `dataset P=${size}: report build`,
        value: median(measures.map((m) => m.reportMs)),
        unit: 'ms',
        reference: 1000,
        referenceName: 'budget',
      });
    }
  }
  return rows;
}

if (require.main === module) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === '--stubs') void stubs(Number(args[0]));
  else if (mode === '--run')
    runner(Number(args[0]), args[1]!, args[2]!).then(
      (result) => {
        process.send!(result);
        process.disconnect();
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  else
    benchDataset(console.log).then((rows) => {
      for (const row of rows) {
        console.log(
          `${row.name.padEnd(72)} ${row.value.toFixed(row.value < 10 ? 1 : 0).padStart(8)} ${row.unit}   ${row.referenceName} ${row.reference.toFixed(0)} ${row.unit}   ratio ${(row.value / row.reference).toFixed(3)}`,
        );
      }
    });
}
