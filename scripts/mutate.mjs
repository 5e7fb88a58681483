#!/usr/bin/env node
/**
 * npm run mutate [-- name… ] [-- stryker options]: mutation testing, one group at a time
 * (test/stryker/groups.mjs: a few source files each, against the unit tests written for them), then
 * the score per folder from every group's latest report: the figure an issue's closing note quotes.
 * Incremental per group: a rerun tests only what changed since the last one.
 *
 *   npm run mutate                                    every group
 *   npm run mutate -- llm                             every llm-* group (a folder's name)
 *   npm run mutate -- core-answers                    one group
 *   npm run mutate -- core-labels --mutate src/core/gold.ts   part of one (its report then covers only that part)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from '../test/stryker/groups.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const named = [];
while (args.length > 0 && !args[0].startsWith('-')) named.push(args.shift());
const groupsOf = (name) =>
  name in GROUPS ? [name] : Object.keys(GROUPS).filter((group) => group.startsWith(`${name}-`));
const unknown = named.filter((name) => groupsOf(name).length === 0);
if (unknown.length > 0) {
  console.error(`Unknown mutation group: ${unknown.join(', ')}. Groups: ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}
const groups = named.length > 0 ? [...new Set(named.flatMap(groupsOf))] : Object.keys(GROUPS);

// A source file no group names is never mutated: say so rather than report a score without it.
const grouped = Object.values(GROUPS).flatMap((group) => group.mutate);
const ungrouped = ['src/core', 'src/llm', 'src/io', 'src/jobs'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name}`)
    .filter(
      (file) =>
        !grouped.some(
          (entry) =>
            entry === file ||
            (entry.endsWith('/**/*.ts') && file.startsWith(entry.slice(0, -'**/*.ts'.length))),
        ),
    ),
);
if (ungrouped.length > 0)
  console.warn(`Not in any mutation group (add them to test/stryker/groups.mjs): ${ungrouped.join(', ')}`);

let status = 0;
const minutes = new Map();
for (const group of groups) {
  const started = Date.now();
  console.log(`\n=== Mutation group ${group}: ${GROUPS[group].mutate.join(', ')}`);
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', ...args],
    { cwd: root, stdio: 'inherit', env: { ...process.env, STEPLENS_MUTATE_GROUP: group } },
  );
  minutes.set(group, (Date.now() - started) / 60_000);
  if (run.status !== 0) status = run.status ?? 1;
}

// Killed, timed out: detected. Survived, no coverage: not. Errors and ignored mutants do not count.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const folders = new Map();
const sources = [];
for (const group of Object.keys(GROUPS)) {
  const report = join(root, 'reports', 'mutation', group, 'mutation.json');
  if (!existsSync(report)) continue;
  sources.push(`${group} (${statSync(report).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
  for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
    const folder = file.startsWith('webview/') ? 'webview' : file.split('/').slice(0, 2).join('/');
    const tally = folders.get(folder) ?? { detected: 0, undetected: 0, ignored: 0 };
    for (const { status: mutantStatus } of mutants) {
      if (DETECTED.has(mutantStatus)) tally.detected += 1;
      else if (UNDETECTED.has(mutantStatus)) tally.undetected += 1;
      else tally.ignored += 1;
    }
    folders.set(folder, tally);
  }
}
console.log('\nMutation score per folder (killed + timed out, of all valid mutants):');
for (const [folder, { detected, undetected, ignored }] of [...folders].sort()) {
  const total = detected + undetected;
  const score = total === 0 ? '—' : `${((100 * detected) / total).toFixed(1)} %`;
  console.log(
    `  ${folder.padEnd(12)} ${score.padStart(8)}  (${detected} of ${total} mutants${ignored ? `; ${ignored} ignored or errors` : ''})`,
  );
}
console.log(`Reports: ${sources.join(', ')} — reports/mutation/<group>/index.html`);
console.log(`Run time: ${[...minutes].map(([group, min]) => `${group} ${min.toFixed(1)} min`).join(', ')}`);
process.exit(status);
