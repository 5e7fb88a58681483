/**
 * The pipeline at the paper's scale against the stub endpoints: N = 64 samples, k = 4 critiques,
 * one PRM, 200 ms ± 40 ms per request, concurrency 8. Prints the measured wall time, the
 * latency-bound ideal (every request at the mean latency, every slot busy, nothing else costing
 * time) and their ratio, median of several runs, for an endpoint that takes `n` and one that
 * refuses it.
 */
import { RunConfigSchema } from '../src/core/config.js';
import type { Problem } from '../src/core/problems.js';
import { analyze } from '../src/llm/pipeline.js';
import { scenario, solution } from '../test/fixtures/scenario.js';
import { startStub } from '../test/fixtures/stubServer.js';

const N = 64;
const K = 4;
const CONCURRENCY = 8;
const PRM_CONCURRENCY = 4;
const PRM_BATCH = 8;
const LATENCY_MS = 200;
const JITTER_MS = 40;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Deterministic jitter, so runs are comparable. */
function jitter(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return LATENCY_MS + ((state / 2 ** 31) * 2 - 1) * JITTER_MS;
  };
}

const problem: Problem = {
  id: 'bench',
  text: 'What is 6 times 7?',
  reference: '42',
  format: 'text',
  source: { file: 'bench.md' },
};

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  reference: number;
  referenceName: string;
}

async function once(
  refuseN: boolean,
  seed: number,
): Promise<{ wallMs: number; idealMs: number; requests: number }> {
  const solutions = Array.from({ length: N }, (_, i) =>
    solution(`sample${i}`, i % 3 === 0 ? '41' : '42', {
      steps: 6,
      verdicts: [-1, -1, 2, -1],
      prm: [0.9, 0.9, 0.8, 0.85, 0.9, 0.95],
    }),
  );
  const world = scenario(solutions, { latencyMs: jitter(seed) });
  const policy = await startStub({ chat: world.chat!, refuseN });
  const prm = await startStub({ pooling: world.pooling! });
  try {
    const config = RunConfigSchema.parse({
      policy: {
        baseUrl: policy.baseUrl,
        model: 'bench-policy',
        n: N,
        concurrency: CONCURRENCY,
        timeoutMs: 30_000,
      },
      selfJudge: { mode: 'critic', samples: K },
      prms: [
        {
          id: 'prm',
          kind: 'vllm-pooling',
          baseUrl: prm.url,
          model: 'bench-prm',
          concurrency: PRM_CONCURRENCY,
          batchSize: PRM_BATCH,
        },
      ],
    });
    const started = performance.now();
    const run = await analyze(problem, { config, resolveKey: () => undefined });
    const wallMs = performance.now() - started;
    if (
      run.samples.length !== N ||
      run.samples.some((s) => s.error || !s.judgements.self || !s.judgements.prm)
    ) {
      throw new Error('the benchmark run is incomplete');
    }
    // The policy endpoint carries sampling and self-judging; the PRM runs beside it on its own.
    const policyRequests = refuseN ? N + N * K : 1 + N;
    const policyIdeal = refuseN
      ? Math.ceil(policyRequests / CONCURRENCY) * LATENCY_MS
      : LATENCY_MS + Math.ceil(N / CONCURRENCY) * LATENCY_MS;
    const prmIdeal = LATENCY_MS + Math.ceil(N / PRM_BATCH / PRM_CONCURRENCY) * LATENCY_MS;
    return {
      wallMs,
      idealMs: Math.max(policyIdeal, prmIdeal),
      requests: policy.requests.length + prm.requests.length,
    };
  } finally {
    await policy.close();
    await prm.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchPipeline(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const refuseN of [false, true]) {
    const walls: number[] = [];
    let ideal = 0;
    for (let run = 0; run < RUNS; run++) {
      const result = await once(refuseN, 7 + run);
      walls.push(result.wallMs);
      ideal = result.idealMs;
    }
    rows.push({
      name: `pipeline N=${N} k=${K} c=${CONCURRENCY}, ${refuseN ? 'n refused' : 'n accepted'}`,
      value: median(walls),
      unit: 'ms',
      reference: ideal,
      referenceName: 'latency-bound ideal',
    });
  }
  return rows;
}

if (require.main === module) {
  benchPipeline().then((rows) => {
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(48)} ${row.value.toFixed(0).padStart(6)} ms   ${row.referenceName} ${row.reference.toFixed(0)} ms   ratio ${(row.value / row.reference).toFixed(3)}`,
      );
    }
  });
}
