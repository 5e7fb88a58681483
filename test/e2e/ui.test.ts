/**
 * End to end, as a person would: the packaged .vsix installed in code-server, driven in headless
 * Chromium, one window through every test. A fresh window: set the endpoints in the User settings
 * as the README says, Test Connection, Score Existing Steps on a ProcessBench row. Then from the
 * Explorer: right-click a problem, Analyze, watch the panel come to the front and fill, label two
 * steps with the keyboard, Export Audits from the command palette, read the exported file on disk.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { resolveAnnotator } from '../../src/io/annotatorName.js';
import { TEST_OUTPUT } from '../browser.js';
import { readFixture } from '../support.js';
import { endpointSettings, makeWorkspace, runSettings } from './codeServer.js';
import { DATASET_PROBLEMS, startStubs } from './stubs.js';
import {
  openWorkbench,
  openWorkspace,
  runCommand as runPaletteCommand,
  type Workbench,
  webviewFrame,
} from './workbench.js';

let workbench: Workbench;
let stubs: Awaited<ReturnType<typeof startStubs>>;
let page: Page;
/** A port nothing listens on: an endpoint that is down. */
let downUrl: string;

before(async () => {
  stubs = await startStubs();
  const closed = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => closed.once('listening', resolve));
  downUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}/v1`;
  await new Promise((resolve) => closed.close(resolve));
  const workspace = makeWorkspace();
  // One ProcessBench row (gsm8k-0: 4 steps, human label "first error at step 1").
  writeFileSync(
    join(workspace, 'gsm8k-0.jsonl'),
    `${readFixture('processbench_sample_40.jsonl').split('\n')[0]}\n`,
  );
  // Three problems without steps for Evaluate Dataset.
  writeFileSync(
    join(workspace, 'aime-mini.jsonl'),
    `${DATASET_PROBLEMS.map((problem) => JSON.stringify(problem)).join('\n')}\n`,
  );
  // The endpoints are not set yet: the first test sets them as a person does, in a running window.
  workbench = await openWorkbench({
    workspace,
    settings: runSettings(),
    viewport: { width: 1500, height: 950 },
  });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
  await stubs?.close();
});

/** The StepLens panel's page, once it shows steps. */
const panelFrame = (page: Page, timeoutMs = 60_000): Promise<Frame> =>
  webviewFrame(page, '.step', 'StepLens panel with steps', timeoutMs);

/**
 * Edits the User settings as a person does: Preferences: Open User Settings (JSON), replace the
 * text, save. (Writing the file behind VS Code's back is seen once, then no more.)
 */
async function setUserSettings(values: Record<string, unknown>): Promise<void> {
  const current = JSON.parse(readFileSync(workbench.server.userSettings, 'utf8')) as Record<string, unknown>;
  const wanted = { ...current, ...values };
  // One line: the editor indents typed line breaks; whatever it auto-closes after the cursor goes.
  const text = JSON.stringify(wanted);
  await runCommand('Preferences: Open User Settings (JSON)');
  const editor = page.locator('.editor-instance .monaco-editor[data-uri$="settings.json"] .view-lines');
  await editor.waitFor({ timeout: 20_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Shift+Control+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  const saved = () => {
    try {
      return JSON.stringify(JSON.parse(readFileSync(workbench.server.userSettings, 'utf8'))) === text;
    } catch {
      return false;
    }
  };
  for (let waited = 0; !saved(); waited++) {
    if (waited > 80)
      throw new Error(
        `the settings editor did not save:\n${readFileSync(workbench.server.userSettings, 'utf8')}`,
      );
    await page.waitForTimeout(250);
  }
  await page.keyboard.press('Control+W');
}

/** Right-clicks an Explorer row and runs a context-menu entry (hover focuses it, Enter runs it). */
async function explorerMenu(file: string, entry: RegExp): Promise<void> {
  const row = page.getByRole('treeitem', { name: file, exact: true });
  await row.waitFor({ timeout: 30_000 });
  await row.click({ button: 'right' });
  const item = page.getByRole('menuitem', { name: entry });
  await item.hover();
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'detached', timeout: 10_000 });
}

const runCommand = (title: string): Promise<void> => runPaletteCommand(page, title);

/**
 * Runs Test Connection until its notification says `expected` (a settings edit reaches the
 * extension host a moment after the save); returns that notification's text.
 */
async function testConnectionSays(expected: string): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: expected });
  let seen = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    await runCommand('StepLens: Test Connection');
    try {
      await toast.first().waitFor({ timeout: 5_000 });
      return (await toast.first().textContent()) ?? '';
    } catch {
      seen =
        (await page
          .locator('.notifications-toasts')
          .textContent()
          .catch(() => '')) ?? '';
    }
  }
  throw new Error(`Test Connection never said "${expected}"; it said: ${seen}`);
}

test('a fresh window: endpoints set in the User settings are used, Test Connection names the URL, Score Existing Steps fills the panel', {
  timeout: 240_000,
}, async () => {
  try {
    await openWorkspace(page, workbench.server);

    // The policy endpoint is down: Test Connection names the URL it tried and where it came from.
    await setUserSettings(endpointSettings(downUrl, stubs.prm.url));
    const down = await testConnectionSays(`GET ${downUrl}/models`);
    assert.match(down, /policy Qwen\/QwQ-32B: unreachable \(fetch failed: .*ECONNREFUSED/);
    assert.match(down, /steplens\.policy\.baseUrl from your User settings/);
    assert.match(
      down,
      new RegExp(
        `PRM qwen-prm: OK .*GET ${stubs.prm.url}/v1/models · steplens\\.prms from your User settings`,
      ),
    );

    // The endpoints as the README's quick start sets them.
    await setUserSettings(endpointSettings(stubs.policy.baseUrl, stubs.prm.url));
    const up = await testConnectionSays(`GET ${stubs.policy.baseUrl}/models`);
    assert.match(up, /policy Qwen\/QwQ-32B: OK/);
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-test-connection.png') });

    // Score Existing Steps on the row, in a window whose StepLens view has never been opened.
    const before = { policy: stubs.policy.requests.length, prm: stubs.prm.requests.length };
    await explorerMenu('gsm8k-0.jsonl', /Score Existing Steps/);

    const frame = await panelFrame(page);
    // Both judges' scores on every step of the row's one sample, with no other click.
    const scoresShown = () =>
      frame.$$eval('.step', (steps) =>
        steps.map((step) => [
          step.querySelector('.score.self .score-value')?.textContent ?? '',
          step.querySelector('.score.prm .score-value')?.textContent ?? '',
        ]),
      );
    const expected = [
      ['1.00', '1.00'],
      ['0.25', '0.18'],
      ['0.25', '0.97'],
      ['0.25', '1.00'],
    ];
    let scores = await scoresShown();
    for (let waited = 0; JSON.stringify(scores) !== JSON.stringify(expected) && waited < 120; waited++) {
      await page.waitForTimeout(250);
      scores = await scoresShown();
    }
    assert.deepEqual(scores, expected);
    assert.equal(await frame.locator('.sample-row[role="option"]').count(), 1, 'one sample: the row');
    // The dataset's own first error (gsm8k-0 is labelled "step 1") is marked beside the judges'.
    assert.deepEqual(
      await frame.$$eval('.step', (steps) => steps.map((step) => step.querySelector('.flag.gold') !== null)),
      [false, true, false, false],
    );
    assert.equal(await frame.textContent('.sample-row[role="option"] .gold-col'), '@1');
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-score-existing-steps.png') });

    // The requests went to the endpoints the User settings name: critiques and the PRM's /pooling.
    const critiques = stubs.policy.requests.slice(before.policy);
    assert.ok(critiques.length > 0 && critiques.every((request) => request.path === '/v1/chat/completions'));
    assert.ok(critiques.every((request) => JSON.stringify(request.body).includes('pink plastic flamingos')));
    assert.ok(stubs.prm.requests.slice(before.prm).some((request) => request.path === '/pooling'));

    // Evaluate Judges from the same menu: the report is written, opens rendered, and a message says so.
    await page.click('.activitybar a.action-label[aria-label^="Explorer"]');
    await page.waitForSelector('.activitybar .action-item.checked a.action-label[aria-label^="Explorer"]');
    // Cancelled from its progress notification while the row's judges answer (they take 1.5 s):
    // a partial report, and the message says how to finish.
    await explorerMenu('gsm8k-0.jsonl', /Evaluate Judges/);
    await page
      .locator('.notifications-toasts .notification-list-item', {
        hasText: 'evaluating judges on gsm8k-0.jsonl',
      })
      .getByRole('button', { name: 'Cancel' })
      .click({ timeout: 10_000 });
    await page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'StepLens: evaluation cancelled after 0 of 1 row(s)',
      })
      .waitFor({ timeout: 30_000 });
    const reportPath = join(workbench.server.workspace, '.steplens', 'evaluations', 'gsm8k-0', 'report.json');
    assert.equal((JSON.parse(readFileSync(reportPath, 'utf8')) as { complete: boolean }).complete, false);
    // Run again: it finishes.
    await explorerMenu('gsm8k-0.jsonl', /Evaluate Judges/);
    await page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'StepLens: evaluated 1 row(s) into .steplens/evaluations/gsm8k-0',
      })
      .waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: /Preview report\.md/ }).waitFor({ timeout: 10_000 });
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { rows: number; complete: boolean };
    assert.deepEqual([report.rows, report.complete], [1, true]);
    // Rendered: some frame (the Markdown preview's webview) shows the report's heading.
    const rendered = async () => {
      for (const frame of page.frames()) {
        const text = (await frame.textContent('body', { timeout: 1000 }).catch(() => null)) ?? '';
        if (text.includes('StepLens judge evaluation (ProcessBench F1)')) return true;
      }
      return false;
    };
    for (let waited = 0; !(await rendered()); waited++) {
      if (waited > 80) throw new Error('the Markdown preview never showed the evaluation report');
      await page.waitForTimeout(250);
    }
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-evaluate-judges.png') });
    // Back to the window the next test expects: no editor open, the StepLens view in front.
    const reportTab = page.getByRole('tab', { name: /Preview report\.md/ });
    await reportTab.click({ button: 'middle' });
    await reportTab.waitFor({ state: 'detached', timeout: 10_000 });
    await page.click('.activitybar a.action-label[aria-label^="StepLens"]');
    await page.waitForSelector('.activitybar .action-item.checked a.action-label[aria-label^="StepLens"]');
  } catch (error) {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-failure.png') }).catch(() => {});
    throw error;
  }
});

async function waitForFile(dir: string, name: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(dir)) {
      for (const entry of readdirSync(dir)) {
        const candidate = join(dir, entry, name);
        if (existsSync(candidate)) return candidate;
      }
    }
    if (Date.now() > deadline) throw new Error(`no ${name} under ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('from the Explorer: analyze, the panel comes to the front, label with the keyboard, export', {
  timeout: 240_000,
}, async () => {
  try {
    // The Explorer takes the side bar: the StepLens view, already open, goes out of sight.
    await page.click('.activitybar a.action-label[aria-label^="Explorer"]');
    await page.waitForSelector('.activitybar .action-item.checked a.action-label[aria-label^="Explorer"]');

    await explorerMenu('hypotenuse.md', /Analyze Problem/);

    // StepLens comes back to the front by itself.
    await page.waitForSelector('.activitybar .action-item.checked a.action-label[aria-label^="StepLens"]', {
      timeout: 30_000,
    });
    const frame = await panelFrame(page);
    // The panel opens where the judges disagree: sample 1 ("beta"), step 1.
    await frame.waitForSelector('.step.disagree[data-step="1"]', { timeout: 30_000 });
    assert.equal(await frame.textContent('.steps-head h3'), 'Sample 1');
    const values = await frame.$eval('.step[data-step="1"]', (step) => [
      step.querySelector('.score.self .score-value')?.textContent,
      step.querySelector('.score.prm .score-value')?.textContent,
    ]);
    assert.deepEqual(values, ['0.25', '0.90']);

    // Label two steps with the keyboard: step 1 is wrong (−1), step 2 is fine (+1).
    await frame.click('.step[data-step="1"] .step-text');
    await page.keyboard.press('1');
    await page.keyboard.press('j');
    await page.keyboard.press('3');
    await frame.waitForSelector('.step[data-step="2"] .chip.rating.r1.active');
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel.png') });

    // Export Audits from the command palette: the open run is preselected, the default folder is fresh.
    await page.click('.part.editor', { position: { x: 200, y: 200 } });
    await page.keyboard.press('F1');
    await page.keyboard.type('StepLens: Export Audits');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title', {
      timeout: 10_000,
    });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');

    const csvPath = await waitForFile(join(workbench.server.workspace, '.steplens', 'exports'), 'steps.csv');
    const rows = readFileSync(csvPath, 'utf8')
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0]!;
    const rating = header.indexOf('human_rating');
    const ratingOf = (sample: string, step: string) =>
      rows.find((r) => r[1] === sample && r[2] === step)?.[rating];
    assert.equal(ratingOf('1', '1'), '-1');
    assert.equal(ratingOf('1', '2'), '1');
    assert.equal(ratingOf('1', '0'), '');
    // Each label is saved under this machine's annotator (no setting: git's user.name, else the OS user).
    const annotator = header.indexOf('annotator');
    const expected = (await resolveAnnotator(undefined, workbench.server.workspace)).name;
    assert.equal(rows.find((r) => r[1] === '1' && r[2] === '1')?.[annotator], expected);
    const report = JSON.parse(readFileSync(join(csvPath, '..', 'report.json'), 'utf8')) as {
      ratedSteps: number;
      samples: number;
    };
    assert.deepEqual([report.ratedSteps, report.samples], [2, 4]);
    // The report opens by itself, rendered by the Markdown preview.
    await page.getByRole('tab', { name: /^Preview report\.md/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-exported.png') });
  } catch (error) {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-failure.png') }).catch(() => {});
    throw error;
  }
});

/**
 * Clicks a row of an extension's tree view until its command shows an effect. A click that lands
 * while the tree re-renders (a refresh as files settle) selects the row but runs nothing; a
 * second click on a row whose command has started is harmless here (a running dataset's row has no
 * command; opening a run twice shows it once).
 */
async function clickTreeRowUntil(row: Locator, done: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await row.locator('.label-name').click();
    for (let waited = 0; waited < 12; waited++) {
      if (await done()) {
        if (attempt > 0) console.log(`# ${await row.textContent()}: took effect on click ${attempt + 1}`);
        return;
      }
      await page.waitForTimeout(250);
    }
  }
  throw new Error(`clicking ${await row.textContent()} never took effect`);
}

test('Evaluate Dataset from the Explorer: k and judges from the keyboard, Cancel leaves it partial, the Datasets view resumes it on click and opens a problem', {
  timeout: 240_000,
}, async () => {
  try {
    await page.click('.activitybar a.action-label[aria-label^="Explorer"]');
    await page.waitForSelector('.activitybar .action-item.checked a.action-label[aria-label^="Explorer"]');
    await explorerMenu('aime-mini.jsonl', /Evaluate Dataset/);

    // k: prefilled from steplens.policy.samples (4); a bad value is refused in the box, 2 is taken.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10_000 });
    assert.equal(await input.inputValue(), '4');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await page
      .locator('.quick-input-widget .quick-input-message', { hasText: 'k must be between 1 and 1024' })
      .waitFor({ timeout: 10_000 });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    // Judges: every configured one is ticked; Enter keeps them.
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'which judges score every sample' })
      .waitFor({ timeout: 10_000 });
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    assert.deepEqual(
      await rows.evaluateAll((elements) =>
        elements.map((row) => [
          row.querySelector('.label-name')?.textContent ?? '',
          row.getAttribute('aria-checked'),
        ]),
      ),
      [
        ['self', 'true'],
        ['qwen-prm', 'true'],
      ],
    );
    await page.keyboard.press('Enter');

    // Cancelled from its progress notification while the stubs answer (1.5 s each): partial, resumable.
    await page
      .locator('.notifications-toasts .notification-list-item', {
        hasText: 'evaluating dataset .steplens/datasets/aime-mini (k = 2)',
      })
      .getByRole('button', { name: 'Cancel' })
      .click({ timeout: 10_000 });
    await page
      .locator('.notifications-toasts .notification-list-item-message', { hasText: 'partial, resumable' })
      .waitFor({ timeout: 30_000 });
    const out = join(workbench.server.workspace, '.steplens', 'datasets', 'aime-mini');
    const index = () =>
      JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as {
        complete: boolean;
        problems: unknown[];
      };
    assert.equal(index().complete, false);

    // The Datasets view in the StepLens container lists it as partial; a click resumes it.
    await page.click('.activitybar a.action-label[aria-label^="StepLens"]');
    const datasets = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Datasets' }) });
    const row = datasets.locator('.monaco-list-row', { hasText: 'aime-mini' });
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /aime-mini.*\/3 · partial/);
    const resumed = page.locator('.notifications-toasts .notification-list-item', {
      hasText: /evaluating dataset \.steplens\/datasets\/aime-mini|aime-mini complete/,
    });
    await clickTreeRowUntil(row, async () => (await resumed.count()) > 0);
    await page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'StepLens: dataset .steplens/datasets/aime-mini complete: 3 problem(s)',
      })
      .waitFor({ timeout: 60_000 });
    assert.equal(index().complete, true);
    assert.equal(index().problems.length, 3);
    await datasets.locator('.monaco-list-row', { hasText: '3/3 · complete' }).waitFor({ timeout: 30_000 });

    // Expanded (its twistie: a click on the row itself opens the report), a problem opens its run.
    await row.locator('.monaco-tl-twistie').click();
    const problem = datasets.locator('.monaco-list-row', { hasText: 'ds-2' });
    await problem.waitFor({ timeout: 10_000 });
    const showsDs2 = async () => {
      for (const frame of page.frames())
        if (
          (await frame
            .locator('text=Dataset problem ds-2')
            .count()
            .catch(() => 0)) > 0
        )
          return true;
      return false;
    };
    await clickTreeRowUntil(problem, showsDs2);
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-evaluate-dataset.png') });
  } catch (error) {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-failure.png') }).catch(() => {});
    throw error;
  }
});
