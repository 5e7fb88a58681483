/**
 * `npm run bench`: every performance figure StepLens defends, in one table — measured value, its
 * reference (a budget, the latency-bound ideal, or the parse-only page) and the ratio. Medians of
 * several runs (BENCH_RUNS, default 5 for the fast ones, 3 for the pipeline and the evaluation).
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support.js';
import { benchAnswers } from './bench-answers.js';
import { benchDataset } from './bench-dataset.js';
import { benchEvaluate } from './bench-evaluate.js';
import { benchPanel } from './bench-panel.js';
import { type BenchRow, benchPipeline } from './bench-pipeline.js';
import { benchReport } from './bench-report.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function benchHost(): BenchRow[] {
  const samples = Array.from(
    { length: 7 },
    () =>
      JSON.parse(
        execFileSync(process.execPath, [join(ROOT, 'scripts', 'bench-activation.cjs')], { encoding: 'utf8' }),
      ) as {
        loadMs: number;
        activateMs: number;
        firstUseMs: number;
      },
  );
  const bytes = ['extension.js', 'host.js'].reduce(
    (sum, name) => sum + statSync(join(ROOT, 'dist', name)).size,
    0,
  );
  return [
    {
      name: 'activation (load main bundle + activate)',
      value: median(samples.map((s) => s.loadMs + s.activateMs)),
      unit: 'ms',
      reference: 25,
      referenceName: 'budget',
    },
    {
      name: 'first command: load the host bundle',
      value: median(samples.map((s) => s.firstUseMs)),
      unit: 'ms',
      reference: 200,
      referenceName: 'budget',
    },
    {
      name: 'extension bundles without the webview',
      value: bytes / 1024,
      unit: 'KiB',
      reference: 1024,
      referenceName: 'budget',
    },
  ];
}

async function main(): Promise<void> {
  // A plain .mjs (it also runs alone under node): typed here, at its one use.
  const { benchCli } = (await import('./bench-cli.mjs' as string)) as { benchCli: () => BenchRow[] };
  const rows: BenchRow[] = [
    ...benchCli(),
    ...benchAnswers(),
    ...(await benchPipeline()),
    ...(await benchEvaluate()),
    ...(await benchDataset()),
    ...(await benchPanel()),
    ...(await benchReport()),
    ...benchHost(),
  ];
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(
    `${'measure'.padEnd(width)}  ${'value'.padStart(10)}  ${'reference'.padStart(10)}  ${'ratio'.padStart(6)}  reference is`,
  );
  for (const row of rows) {
    const value = `${row.value.toFixed(row.value < 10 ? 1 : 0)} ${row.unit}`;
    const reference = `${row.reference.toFixed(0)} ${row.unit}`;
    console.log(
      `${row.name.padEnd(width)}  ${value.padStart(10)}  ${reference.padStart(10)}  ${(row.value / row.reference).toFixed(3).padStart(6)}  ${row.referenceName}`,
    );
  }
}

void main();
