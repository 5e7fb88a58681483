/**
 * Mutation testing (npm run mutate): the mutants of one group (test/stryker/groups.mjs: src/core,
 * src/llm, src/io or the webview's pure modules) run against that group's unit test files
 * (node's test runner, TAP). STEPLENS_MUTATE_GROUP names the group (scripts/mutate.mjs sets it);
 * STEPLENS_MUTATE_TESTS=file,file overrides its test files for one run. Incremental per group: a
 * rerun re-tests only mutants whose code or covering tests changed. Reports: reports/mutation/.
 */
import { GROUPS } from './test/stryker/groups.mjs';

const groupName = process.env.STEPLENS_MUTATE_GROUP ?? 'core';
const group = GROUPS[groupName];
if (!group) throw new Error(`Unknown mutation group "${groupName}": one of ${Object.keys(GROUPS).join(', ')}`);
const testFiles = process.env.STEPLENS_MUTATE_TESTS?.split(',') ?? group.tests;

export default {
  testRunner: 'tap',
  tap: {
    testFiles,
    // Stop a test file at its first failure: a mutant is killed by one failing test.
    forceBail: true,
    nodeArgs: ['-r', '{{hookFile}}', '-r', './test/stryker/keep-sigint.cjs', '--import', 'tsx'],
  },
  // The CLI tests run dist/cli.js: built in the sandbox from the instrumented sources.
  buildCommand: 'node test/stryker/build.mjs',
  symlinkNodeModules: false,
  mutate: group.mutate,
  // Not copied into the sandbox: installs, build output, screenshots.
  ignorePatterns: ['.vscode-test', 'dist', 'out', 'test-output', 'docs', 'reports', '*.vsix'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/${groupName}/incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${groupName}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${groupName}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  concurrency: 2,
  timeoutMS: 15000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
