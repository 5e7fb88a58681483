/**
 * Mutation testing (npm run mutate): every mutant of src/core, src/llm, src/io and the webview's
 * pure modules is run against the unit tests (node's test runner, TAP) that cover it. Incremental:
 * a rerun re-tests only mutants whose code or covering tests changed. Too slow for CI on 2 cores;
 * run it before calling an issue resolved. Reports: reports/mutation/.
 */
/**
 * STEPLENS_MUTATE_TESTS=glob,glob narrows the test files for one run (a folder's own tests run
 * much faster than every test for every mutant); the default is the whole unit layer.
 */
const testFiles = process.env.STEPLENS_MUTATE_TESTS?.split(',') ?? ['test/unit/*.test.ts'];

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
  mutate: [
    'src/core/**/*.ts',
    'src/llm/**/*.ts',
    'src/io/**/*.ts',
    'webview/model.ts',
    'webview/saves.ts',
    'webview/keys.ts',
  ],
  // Not copied into the sandbox: installs, build output, screenshots.
  ignorePatterns: ['.vscode-test', 'dist', 'out', 'test-output', 'docs', 'reports', '*.vsix'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  concurrency: 2,
  timeoutMS: 15000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
