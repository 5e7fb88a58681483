/**
 * Answer equivalence timings: a pair the normaliser decides, a pair that needs the symbolic check
 * (first parse, then cached), the first symbolic comparison of a process (it starts compute-engine
 * in a worker), and a 64-sample vote with and without the check. `npx tsx scripts/bench-answers.ts`
 * prints them; `npm run bench` includes the rows.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answersEquivalent, setSymbolicEquivalence } from '../src/core/answers.js';
import { majorityVote } from '../src/core/vote.js';
import { installSymbolicEquivalence, uninstallSymbolicEquivalence } from '../src/symbolic/client.js';
import { ROOT } from '../test/support.js';
import type { BenchRow } from './bench-pipeline.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timeMs(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** 64 samples as a model writes them: one answer in five spellings, two wrong ones, two unparsable. */
function voteAnswers(seed: number): string[] {
  const spellings = [
    `${seed}\\sqrt{2}`,
    `\\sqrt{${2 * seed * seed}}`,
    `\\frac{${2 * seed}}{\\sqrt{2}}`,
    `${seed}\\sqrt2`,
    `\\sqrt{2}\\cdot ${seed}`,
    `${seed + 1}\\sqrt{3}`,
    `${2 * seed}`,
    '\\text{no solution}',
    `(${seed}, ${seed})`,
  ];
  return Array.from({ length: 64 }, (_, i) => spellings[(i * 7) % spellings.length]!);
}

/** A whole `steplens equiv` process, bundled, in milliseconds. */
function cliMs(a: string, b: string): number {
  const cli = join(ROOT, 'dist', 'cli.js');
  return median(
    Array.from({ length: RUNS }, () => timeMs(() => execFileSync(process.execPath, [cli, 'equiv', a, b]))),
  );
}

export function benchAnswers(): BenchRow[] {
  const normaliserPairs = 20_000;
  setSymbolicEquivalence(null);
  const normaliserUs =
    (median(
      Array.from({ length: RUNS }, () =>
        timeMs(() => {
          for (let i = 0; i < normaliserPairs; i++) answersEquivalent(`\\frac{${i}}{4}`, `${i / 4}`);
        }),
      ),
    ) *
      1000) /
    normaliserPairs;

  const firstMs: number[] = [];
  const uncachedUs: number[] = [];
  const cachedUs: number[] = [];
  const voteSymbolicMs: number[] = [];
  const votePlainMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    installSymbolicEquivalence();
    firstMs.push(timeMs(() => answersEquivalent('2\\sqrt2', '\\sqrt8')));
    const pairs = 200;
    // Fresh strings every pair: each side is parsed once.
    uncachedUs.push(
      (timeMs(() => {
        for (let k = 3; k < pairs + 3; k++) answersEquivalent(`${k}\\sqrt{2}`, `\\sqrt{${2 * k * k}}`);
      }) *
        1000) /
        pairs,
    );
    cachedUs.push(
      (timeMs(() => {
        for (let k = 3; k < pairs + 3; k++) answersEquivalent(`${k}\\sqrt{2}`, `\\sqrt{${2 * k * k}}`);
      }) *
        1000) /
        pairs,
    );
    voteSymbolicMs.push(timeMs(() => majorityVote(voteAnswers(1000 + run))));
    uninstallSymbolicEquivalence();
    votePlainMs.push(timeMs(() => majorityVote(voteAnswers(1000 + run))));
  }

  return [
    {
      name: 'answer pair decided by the normaliser',
      value: normaliserUs,
      unit: 'µs',
      reference: 1000,
      referenceName: 'budget',
    },
    {
      name: 'answer pair needing the symbolic check (both sides parsed)',
      value: median(uncachedUs),
      unit: 'µs',
      reference: 5000,
      referenceName: 'budget',
    },
    {
      name: '  the same pair again (fingerprints cached)',
      value: median(cachedUs),
      unit: 'µs',
      reference: 1000,
      referenceName: 'budget',
    },
    {
      name: 'first symbolic comparison (starts compute-engine)',
      value: median(firstMs),
      unit: 'ms',
      reference: 500,
      referenceName: 'budget',
    },
    {
      name: 'vote over 64 answers (9 spellings), symbolic, worker started',
      value: median(voteSymbolicMs),
      unit: 'ms',
      reference: median(votePlainMs),
      referenceName: 'the same vote, normaliser only',
    },
    {
      name: 'CLI `equiv 2\\sqrt2 \\sqrt8` (whole process)',
      value: cliMs('2\\sqrt2', '\\sqrt8'),
      unit: 'ms',
      reference: cliMs('1/2', '0.5'),
      referenceName: 'CLI `equiv 1/2 0.5` (no symbolic check)',
    },
  ];
}

if (require.main === module) {
  for (const row of benchAnswers()) {
    console.log(
      `${row.name.padEnd(64)} ${row.value.toFixed(2).padStart(9)} ${row.unit.padEnd(3)} ` +
        `ref ${row.reference.toFixed(2)} ${row.unit} (${row.referenceName}), ratio ${(row.value / row.reference).toFixed(2)}`,
    );
  }
}
