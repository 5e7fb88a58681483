/**
 * Runs the mocha integration suite (test/integration) inside code-server's extension host,
 * started through the workbench URL payload: the extension loaded from this source tree, the
 * suite's result reported by the workbench through window.codeAutomationExit.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser.js';
import {
  type ChatRequestBody,
  type PoolingRequestBody,
  poolingInputs,
  type RecordedRequest,
} from '../fixtures/stubServer.js';
import { fixturePath, ROOT } from '../support.js';
import { CODE_SERVER, type CodeServer, makeWorkspace, startCodeServer, stubSettings } from './codeServer.js';
import {
  DATASET_MARKER,
  DATASET_PROBLEMS,
  EVALUATION_ROWS,
  startStubs,
  UNRECORDED_MARKER,
  UNRECORDED_PROBLEMS,
} from './stubs.js';

let browser: Browser;
let server: CodeServer;
let stubs: Awaited<ReturnType<typeof startStubs>>;
const resultsPath = join(mkdtempSync(join(tmpdir(), 'steplens-it-')), 'results.json');

before(async () => {
  assert.ok(existsSync(CODE_SERVER), 'code-server is missing: scripts/install-code-server.sh installs it');
  assert.ok(
    existsSync(join(ROOT, 'out', 'integration', 'index.js')),
    'build the suite first: node scripts/build.mjs --tests',
  );
  stubs = await startStubs();
  const workspace = makeWorkspace();
  // A small ProcessBench file for Evaluate Judges: a few rows of the 40-row sample, as gsm8k.jsonl.
  const ids = new Set(EVALUATION_ROWS.map((row) => row.id));
  const rows = readFileSync(fixturePath('processbench_sample_40.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && ids.has((JSON.parse(line) as { id: string }).id));
  assert.equal(rows.length, EVALUATION_ROWS.length);
  mkdirSync(join(workspace, 'evaluate'));
  writeFileSync(join(workspace, 'evaluate', 'gsm8k.jsonl'), `${rows.join('\n')}\n`);
  // Three problems without steps for Evaluate Dataset.
  mkdirSync(join(workspace, 'dataset'));
  writeFileSync(
    join(workspace, 'dataset', 'aime-mini.jsonl'),
    `${DATASET_PROBLEMS.map((problem) => JSON.stringify(problem)).join('\n')}\n`,
  );
  // Problems the policy endpoint refuses: a dataset whose every sample fails.
  writeFileSync(
    join(workspace, 'dataset', 'unrecorded.jsonl'),
    `${UNRECORDED_PROBLEMS.map((problem) => JSON.stringify(problem)).join('\n')}\n`,
  );
  // One problem it answers and one it refuses: a dataset where some samples fail.
  writeFileSync(
    join(workspace, 'dataset', 'mixed.jsonl'),
    `${[
      { id: 'mixed-1', problem: `${DATASET_MARKER} mixed-1: what is 1 + 4?`, answer: '5' },
      UNRECORDED_PROBLEMS[0],
    ]
      .map((problem) => JSON.stringify(problem))
      .join('\n')}\n`,
  );
  server = await startCodeServer({
    workspace,
    settings: stubSettings(stubs.policy.baseUrl, stubs.prm.url),
    env: { STEPLENS_IT_RESULTS: resultsPath },
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await stubs?.close();
});

test('the integration suite passes inside the VS Code extension host', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  const exit = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
  });
  const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(join(ROOT, 'out', 'integration', 'index.js'))],
  ];
  await page.goto(
    `${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(-1), 200_000);
  });
  const code = await Promise.race([exit, timeout]);
  // A pending timer would keep the test process alive for the rest of its 200 s.
  clearTimeout(timer);
  await context.close();
  const log = lines.slice(-80).join('\n');
  assert.equal(
    code,
    0,
    `the suite reported ${code === -1 ? 'nothing (timed out)' : `exit ${code}`}:\n${log}`,
  );
  const outcome = JSON.parse(readFileSync(resultsPath, 'utf8')) as {
    failures: number;
    results: { title: string; state: string }[];
  };
  for (const result of outcome.results)
    console.log(`  ${result.state === 'passed' ? '✔' : '✖'} ${result.title}`);
  assert.equal(outcome.failures, 0);
  // Every test ran and passed; fewer than the suite had when this line was last touched means tests went missing.
  assert.equal(outcome.results.filter((result) => result.state === 'passed').length, outcome.results.length);
  assert.ok(outcome.results.length >= 19, `only ${outcome.results.length} integration tests reported`);
  // Opening a 64 × 300 run in the panel against posting it to an empty webview: printed, not asserted.
  const timing = JSON.parse(readFileSync(`${resultsPath}.timing.json`, 'utf8')) as {
    commandToFirstStepMs: number[];
    postToEmptyWebviewMs: number[];
    ratio: number;
  };
  console.log(
    `  panel, 64×300 run: command → first step ${timing.commandToFirstStepMs.join(', ')} ms; posted to an empty webview ${timing.postToEmptyWebviewMs.join(', ')} ms; ratio of medians ${timing.ratio.toFixed(2)}`,
  );
  // Evaluate Judges ran three times on the same rows (and was refused twice before any request):
  // each row was judged once, k = 4 critiques and one PRM input, and never requested again.
  const mentions = (request: RecordedRequest, marker: string) =>
    JSON.stringify(request.body).includes(marker);
  for (const row of EVALUATION_ROWS) {
    const critiques = stubs.policy.requests
      .filter((request) => mentions(request, row.marker))
      .reduce((sum, request) => sum + ((request.body as ChatRequestBody).n ?? 1), 0);
    const prmInputs = stubs.prm.requests.filter((request) => mentions(request, row.marker)).length;
    assert.deepEqual({ id: row.id, critiques, prmInputs }, { id: row.id, critiques: 4, prmInputs: 1 });
  }
  // The refused dataset was sampled twice (the run, then Ask Again), never when Ask Again was declined.
  const refused = stubs.policy.requests.filter((request) => mentions(request, UNRECORDED_MARKER));
  assert.ok(refused.length >= 2 * UNRECORDED_PROBLEMS.length, `${refused.length} refused requests`);
  // Evaluate Dataset ran twice on 3 problems at k = 2 (and was refused once with another k):
  // 2 samples per problem, 4 critiques and one PRM input per sample, all in the first run only.
  for (const problem of DATASET_PROBLEMS) {
    const about = (request: RecordedRequest) => mentions(request, problem.problem);
    const chats = stubs.policy.requests.filter(about).map((request) => request.body as ChatRequestBody);
    const isCritique = (body: ChatRequestBody) =>
      body.messages.some((message) => message.content.includes('<paragraph_0>'));
    const n = (bodies: ChatRequestBody[]) => bodies.reduce((sum, body) => sum + (body.n ?? 1), 0);
    const prmInputs = stubs.prm.requests
      .flatMap((request) => poolingInputs(request.body as PoolingRequestBody))
      .filter((input) => input.includes(problem.problem)).length;
    assert.deepEqual(
      {
        id: problem.id,
        samples: n(chats.filter((body) => !isCritique(body))),
        critiques: n(chats.filter(isCritique)),
        prmInputs,
      },
      { id: problem.id, samples: 2, critiques: 8, prmInputs: 2 },
    );
  }
});
