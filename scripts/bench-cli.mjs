// Times the CLI's batch modes on 3,000 JSONL lines built from the ProcessBench fixture (median of 5
// runs, whole process including Node start-up), against the budget of 10 s.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const rows = readFileSync('test/fixtures/processbench_sample_40.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const LINES = 3000;
const text = (i) => rows[i % rows.length].steps.join('\n\n');
const inputs = {
  split: Array.from({ length: LINES }, (_, i) => JSON.stringify({ id: i, text: text(i) })).join('\n'),
  answer: Array.from({ length: LINES }, (_, i) =>
    JSON.stringify({ id: i, text: text(i), reference: '12' }),
  ).join('\n'),
  metrics: Array.from({ length: LINES }, (_, i) =>
    JSON.stringify({ label: (i % 5) - 1, prediction: (i % 3) - 1 }),
  ).join('\n'),
};
const BUDGET_MS = 10_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchCli() {
  const results = [];
  for (const [mode, input] of Object.entries(inputs)) {
    const times = [];
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['dist/cli.js', mode], {
        input,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (child.status !== 0) throw new Error(`steplens ${mode} failed: ${child.stderr}`);
    }
    const ms = median(times);
    results.push({
      name: `CLI ${mode}, ${LINES} lines`,
      value: ms,
      unit: 'ms',
      reference: BUDGET_MS,
      referenceName: 'budget',
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of benchCli()) {
    console.log(
      `${r.name.padEnd(28)} ${r.value.toFixed(0).padStart(6)} ms   ${r.referenceName} ${r.reference} ms   ratio ${(r.value / r.reference).toFixed(3)}`,
    );
  }
}
