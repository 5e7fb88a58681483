/**
 * Mutation-testing groups: a few source files each, run against the unit test files written for
 * them. Stryker runs only the test files that reach a mutant, but nearly every test file reaches
 * the core modules through imports, and a surviving mutant runs every file that reaches it: one
 * group per folder took hours on 2 cores. Narrow groups keep a full `npm run mutate` near an hour.
 * The score is still reported per folder (scripts/mutate.mjs adds the groups up).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const unitDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'unit');
const unitTests = readdirSync(unitDir)
  .filter((name) => name.endsWith('.test.ts'))
  .sort();
/** The unit test files whose names match. */
const tests = (pattern) => unitTests.filter((name) => pattern.test(name)).map((name) => `test/unit/${name}`);
const files = (folder, names) => names.map((name) => `${folder}/${name}.ts`);

export const GROUPS = {
  'core-answers': {
    mutate: files('src/core', ['answers', 'vote', 'symbolic']),
    tests: tests(/^answers/),
  },
  'core-labels': {
    mutate: files('src/core', [
      'adjudication',
      'annotators',
      'audit',
      'dataset',
      'datasetReport',
      'disagreement',
      'evaluation',
      'judgements',
      'judgeTrust',
      'export',
      'gold',
      'labelConflicts',
      'live',
      'metrics',
      'processbench',
      'progress',
      'rerank',
      'rerankCurves',
    ]),
    tests: tests(
      /^(annotators|audit-|cli-evaluate|evaluation|export-|judgements|judge-trust|metrics|rerank|report-text|gold-labels|live-update|processbench|panel-model)/,
    ),
  },
  'core-files': {
    mutate: files('src/core', ['problems', 'steps', 'text', 'json', 'errors', 'ids', 'batch']),
    tests: tests(/^(problems|steps|json|text-|audit-log|config|cli-batch)/),
  },
  'core-config': {
    mutate: files('src/core', ['config', 'cost', 'schemas', 'schemaVersion', 'jsonSchemas']),
    tests: tests(/^(config|cost|schemas)/),
  },
  'llm-wire': {
    mutate: files('src/llm', ['chat', 'errors', 'credentials', 'budget', 'retry', 'limiter', 'replicas']),
    tests: tests(/^(llm-|stream-timeout)/),
  },
  'llm-judges': {
    mutate: files('src/llm', ['pooling', 'logprobJudges', 'critic']),
    tests: tests(/^llm-/),
  },
  'llm-pipeline': {
    mutate: files('src/llm', ['pipeline', 'sampler', 'judges']),
    tests: tests(/^(llm-|pipeline|stream-timeout)/),
  },
  io: {
    mutate: ['src/io/**/*.ts'],
    tests: tests(
      /^(annotators|audit-log|audit-export|audit-save|files|text-files|cli-hardening|config-file|cli-evaluate-dataset|run-journal|report-problems)/,
    ),
  },
  jobs: {
    mutate: ['src/jobs/**/*.ts'],
    tests: tests(/^(cli-evaluate|cli-batch|jobs-|dataset-plan|evaluation-plan|datasets-failed)/),
  },
  'core-report': {
    mutate: [
      ...files('src/core', ['svgPlot', 'paperTables', 'reportCompare', 'reportProblems']),
      'src/reportHtml.ts',
      'webview/report/rows.ts',
    ],
    tests: tests(/^report-(plots|compare|paper|page|problems)/),
  },
  'core-queue': {
    mutate: ['src/core/auditQueue.ts', 'src/core/rubric.ts', 'webview/queue/state.ts'],
    tests: tests(/^queue/),
  },
  webview: {
    mutate: ['webview/model.ts', 'webview/saves.ts', 'webview/keys.ts', 'webview/state.ts'],
    tests: tests(/^(panel-|report-problems)/),
  },
};
