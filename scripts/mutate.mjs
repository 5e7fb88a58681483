#!/usr/bin/env node
/**
 * npm run mutate [-- stryker options]: mutation testing of src/core, src/llm, src/io and the
 * webview's pure modules (stryker.config.mjs), then the score per folder — the figure an issue's
 * closing note quotes. Incremental: a rerun tests only what changed since the last one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'),
    'run',
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
const report = join(root, 'reports', 'mutation', 'mutation.json');
if (!existsSync(report)) process.exit(run.status ?? 1);

// Killed, timed out: detected. Survived, no coverage: not. Errors and ignored mutants do not count.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const folders = new Map();
for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
  const folder = file.startsWith('webview/') ? 'webview' : file.split('/').slice(0, 2).join('/');
  const tally = folders.get(folder) ?? { detected: 0, undetected: 0, ignored: 0 };
  for (const { status } of mutants) {
    if (DETECTED.has(status)) tally.detected += 1;
    else if (UNDETECTED.has(status)) tally.undetected += 1;
    else tally.ignored += 1;
  }
  folders.set(folder, tally);
}
console.log('\nMutation score per folder (killed + timed out, of all valid mutants):');
for (const [folder, { detected, undetected, ignored }] of [...folders].sort()) {
  const total = detected + undetected;
  const score = total === 0 ? '—' : `${((100 * detected) / total).toFixed(1)} %`;
  console.log(
    `  ${folder.padEnd(12)} ${score.padStart(8)}  (${detected} of ${total} mutants${ignored ? `, ${ignored} ignored or errors` : ''})`,
  );
}
console.log(
  `Run time: ${((Date.now() - started) / 60_000).toFixed(1)} min. HTML report: reports/mutation/index.html`,
);
process.exit(run.status ?? 0);
