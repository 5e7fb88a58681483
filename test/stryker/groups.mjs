/**
 * Mutation-testing groups: each folder's mutants run against the unit test files that exercise
 * that folder. One group per run keeps a full `npm run mutate` to about an hour on 2 cores; the
 * whole unit layer for every mutant would take many hours, mostly in the few test files that
 * start CLI processes or wait for stream deadlines (those stay out of the core group, whose code
 * they reach only through paths the fast files cover directly).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const unitDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'unit');
const unitTests = readdirSync(unitDir)
  .filter((name) => name.endsWith('.test.ts'))
  .sort();
const pick = (keep) => unitTests.filter(keep).map((name) => `test/unit/${name}`);

/** Slow files (process spawns, stream deadlines) and other folders' own tests. */
const notForCore = /^(cli|files|stream-timeout|llm-|panel-|webview-)/;

export const GROUPS = {
  core: {
    mutate: ['src/core/**/*.ts'],
    tests: pick((name) => !notForCore.test(name)),
  },
  llm: {
    mutate: ['src/llm/**/*.ts'],
    tests: pick((name) => /^(llm-|pipeline|stream-timeout)/.test(name)),
  },
  io: {
    mutate: ['src/io/**/*.ts'],
    tests: pick((name) => /^(audit-log|audit-export|audit-save|files|text-files|cli-hardening)/.test(name)),
  },
  webview: {
    mutate: ['webview/model.ts', 'webview/saves.ts', 'webview/keys.ts'],
    tests: pick((name) => /^panel-/.test(name)),
  },
};
