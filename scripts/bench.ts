/**
 * `npm run bench`: every performance figure StepLens defends, in one table — measured value, its
 * reference (a budget, the latency-bound ideal, or the parse-only page) and the ratio. Medians of
 * several runs (BENCH_RUNS, default 5 for the fast ones, 3 for the pipeline and the evaluation).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_SERVER } from '../test/e2e/codeServer.js';
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

/**
 * The panel inside VS Code: the code-server integration suite opens a 64 × 300 run with the
 * command and times its first step on screen, against posting the same run to an empty webview
 * (test/integration). Its printed line is read here; without code-server the row is left out, saying so.
 */
function benchVsCodePanel(): BenchRow[] {
  if (!existsSync(CODE_SERVER) || !existsSync(join(ROOT, 'out', 'integration', 'index.js'))) {
    console.error(
      'bench: the VS Code panel row needs code-server (scripts/install-code-server.sh): left out',
    );
    return [];
  }
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--test', join('test', 'e2e', 'integration.test.ts')],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  const line =
    /panel, 64×300 run: command → first step ([\d, ]+) ms; posted to an empty webview ([\d, ]+) ms/.exec(
      output,
    );
  if (!line) throw new Error(`the integration suite printed no panel timing:\n${output.slice(-2000)}`);
  const times = (list: string) => list.split(',').map(Number);
  const opened = times(line[1]!);
  const posted = times(line[2]!);
  return [
    {
      name: `VS Code panel (code-server): Open Run of a 64×300 run → its first step on screen (${opened.join(', ')} ms)`,
      value: median(opened),
      unit: 'ms',
      reference: median(posted),
      referenceName: `the same run posted to an empty webview (${posted.join(', ')} ms)`,
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
    ...benchVsCodePanel(),
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
