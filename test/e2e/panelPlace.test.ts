/**
 * The run panel keeps a person's place, end to end: the packaged .vsix in code-server, driven in
 * headless Chromium. The panel opened in an editor group is a WebviewPanel that VS Code drops when
 * another editor of its group is shown and loads afresh when its tab is chosen again (it does not
 * retain its page while hidden: a 64 × 300 run held by every hidden panel costs memory). A person
 * opens a run, goes to the second sample, down to step 30 (the page has to scroll), starts a note,
 * opens a file in the same group, comes back: the same sample, the same step selected, at the same
 * place on screen, the note still being written. Then a window reload: the same again. A run opened
 * from a dataset folder (the Datasets view) comes back after a reload too, in the editor panel and
 * in the side view, with the labels of the dataset's audit log; once its file is gone, the panel says
 * which file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { AuditEventSchema } from '../../src/core/schemas.js';
import { writeRun } from '../../src/io/runFiles.js';
import { TEST_OUTPUT } from '../browser.js';
import { handRun, queueDatasetRuns, writeQueueDataset } from '../fixtures/queueRuns.js';
import { makeWorkspace } from './codeServer.js';
import {
  openWorkbench,
  openWorkspace,
  runCommand as runPaletteCommand,
  type Workbench,
  webviewFrame,
} from './workbench.js';

/** The page's document and window, as the functions run in the webview frame see them. */
declare const document: {
  querySelector(selector: string): {
    textContent: string | null;
    getBoundingClientRect(): { top: number; bottom: number };
    value?: string;
    getAttribute(name: string): string | null;
  } | null;
};
declare const window: { scrollY: number; innerHeight: number; innerWidth: number };

const STEPS = 40;
/** Long steps, so 40 of them need the page to scroll well past step 30. */
const stepText = (sample: number, step: number) =>
  `Sample ${sample}, step ${step}: ${'we carry the computation one term further and check it against the bound. '.repeat(3)}`;
const RUN = handRun({
  id: 'place-run',
  samples: [
    // The panel opens on the first disagreement: sample 0, step 1.
    {
      steps: [0, 1, 2].map((step) => stepText(0, step)),
      self: { scores: [1, 1, 1], firstError: -1 },
      prms: { 'qwen-prm': [0.9, 0.1, 0.9] },
    },
    {
      steps: Array.from({ length: STEPS }, (_, step) => stepText(1, step)),
      self: { scores: Array(STEPS).fill(1), firstError: -1 },
      prms: { 'qwen-prm': Array.from({ length: STEPS }, (_, step) => (step === 5 ? 0.1 : 0.9)) },
    },
    {
      steps: Array.from({ length: STEPS }, (_, step) => stepText(2, step)),
      self: { scores: Array(STEPS).fill(1), firstError: -1 },
      prms: { 'qwen-prm': Array(STEPS).fill(0.9) },
    },
  ],
});

/** A dataset folder as Evaluate Dataset leaves one: its runs are not in the workspace's `.steplens/runs/`. */
const DATASET = 'place-set';
const DATASET_RUNS = queueDatasetRuns(2);
/** The dataset's second problem: the one opened from the Datasets view. */
const DATASET_RUN = DATASET_RUNS[1]!.run;

let workbench: Workbench;
let page: Page;
let datasetFolder: string;

before(async () => {
  const workspace = makeWorkspace();
  mkdirSync(join(workspace, '.steplens', 'runs'), { recursive: true });
  await writeRun(join(workspace, '.steplens', 'runs', `${RUN.id}.json`), RUN);
  workbench = await openWorkbench({ workspace, settings: {} });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
});

/**
 * Runs a command from the palette; once more if the palette did not list it (now and then, on a
 * loaded machine, the palette opens without the letters typed into it), as a person types again.
 */
async function runCommand(title: string): Promise<void> {
  try {
    await runPaletteCommand(page, title);
  } catch {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-palette-retry.png') }).catch(() => {});
    await page.keyboard.press('Escape');
    await runPaletteCommand(page, title);
  }
}

/** The panel's page once it shows the run's steps. */
const panelFrame = (): Promise<Frame> => webviewFrame(page, '.step-list .step', 'run panel with steps');

interface Place {
  sample: string | null;
  step: string | null;
  /** The selected step's top and bottom in the panel's viewport, and the viewport's height. */
  top: number;
  bottom: number;
  height: number;
  scrollY: number;
  note: string | null;
}

/** Where the person is, once two reads a few frames apart agree (math and rows settle). */
async function place(frame: Frame): Promise<Place> {
  const read = () =>
    frame.evaluate(() => {
      const step = document.querySelector('.step.selected');
      const box = step?.getBoundingClientRect();
      return {
        sample:
          document.querySelector('.sample-row[aria-selected="true"]')?.getAttribute('data-sample') ?? null,
        step: document.querySelector('.step.selected .step-index')?.textContent ?? null,
        top: Math.round(box?.top ?? Number.NaN),
        bottom: Math.round(box?.bottom ?? Number.NaN),
        height: window.innerHeight,
        scrollY: Math.round(window.scrollY),
        note: document.querySelector('.note-field')?.value ?? null,
      };
    });
  let before = await read();
  for (let tries = 0; tries < 30; tries++) {
    await page.waitForTimeout(150);
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(before)) return now;
    before = now;
  }
  return before;
}

function assertSamePlace(now: Place, was: Place, when: string): void {
  assert.equal(now.sample, was.sample, `${when}: the same sample is selected`);
  assert.equal(now.step, was.step, `${when}: the same step is selected`);
  // Its text starts in sight (the note field open under it may reach below the edge, as before).
  assert.ok(
    now.top >= 0 && now.top + 40 <= now.height,
    `${when}: the selected step is on screen (top ${now.top} of ${now.height})`,
  );
  assert.ok(
    Math.abs(now.top - was.top) <= 4,
    `${when}: the selected step is where it was on screen (top ${now.top}, was ${was.top})`,
  );
  assert.equal(now.note, was.note, `${when}: the note being written is still there`);
}

test('the side view keeps the sample, the step and its place on screen when another view is shown', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);
  // Open Run shows the run in StepLens's side view (no editor panel is open).
  await runCommand('StepLens: Open Run');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: RUN.id });
  await pick.first().waitFor({ timeout: 20_000 });
  await pick.first().click();
  let frame = await panelFrame();
  await frame.locator('.steps-head h3', { hasText: 'Sample 0' }).waitFor({ timeout: 20_000 });
  await frame.locator('.sample-row[data-sample="2"]').click();
  await frame.locator('.steps-head h3', { hasText: 'Sample 2' }).waitFor();
  for (let i = 0; i < 30; i++) await page.keyboard.press('j');
  await frame.locator('.step.selected[data-step="30"]').waitFor();
  const was = await place(frame);
  assert.equal(was.step, '30');
  assert.ok(was.scrollY > 0, 'the side view is scrolled down to step 30');

  // The Explorer in the side bar (VS Code drops the view's page), then StepLens again.
  await page.locator('.activitybar a.action-label[aria-label^="Explorer"]').click();
  await page.getByRole('treeitem', { name: 'coin.md', exact: true }).waitFor({ timeout: 20_000 });
  await page.locator('.activitybar a.action-label[aria-label^="StepLens"]').click();
  frame = await panelFrame();
  const back = await place(frame);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-side-view.png') });
  assertSamePlace(back, was, 'back from the Explorer');
  console.log(
    `side view: selected step's top on screen ${was.top} px before, ${back.top} back from the Explorer`,
  );
  // The Explorer again for the next test: the side view's page is dropped, the editor panel's alone is on screen.
  await page.locator('.activitybar a.action-label[aria-label^="Explorer"]').click();
});

test('the run panel keeps the sample, the step, its place on screen and the note across a tab switch and a window reload', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);

  // The panel in an editor group, then the run in it.
  await runCommand('StepLens: Open in Editor');
  await page.locator('.tab', { hasText: 'StepLens' }).first().waitFor({ timeout: 30_000 });
  await runCommand('StepLens: Open Run');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: RUN.id });
  await pick.first().waitFor({ timeout: 20_000 });
  await pick.first().click();
  let frame = await panelFrame();
  await frame.locator('.steps-head h3', { hasText: 'Sample 0' }).waitFor({ timeout: 20_000 });

  // Sample 1 (not the one the panel opened on), step 30: the page scrolls to it.
  await frame.locator('.sample-row[data-sample="1"]').click();
  await frame.locator('.steps-head h3', { hasText: 'Sample 1' }).waitFor();
  for (let i = 0; i < 30; i++) await page.keyboard.press('j');
  await frame.locator('.step.selected[data-step="30"]').waitFor();
  // A note started on it, not saved yet.
  await page.keyboard.press('m');
  await frame.locator('.note-field').waitFor();
  await page.keyboard.type('half a thought');
  const was = await place(frame);
  assert.equal(was.step, '30');
  assert.ok(was.scrollY > 0, 'the page is scrolled down to step 30');
  assert.equal(was.note, 'half a thought');
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-before.png') });
  // VS Code's own keys work from the note field (the field stopped them all, F1 too): F1 opens
  // the command palette, Ctrl+P quick open; Escape closes each, the note as it was.
  for (const key of ['F1', 'Control+p']) {
    await page.keyboard.press(key);
    await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }
  assert.equal(await frame.evaluate(() => document.querySelector('.note-field')?.value), 'half a thought');

  // Another editor in the panel's group, then back to the panel's tab.
  // From the Explorer, with the mouse.
  await page.getByRole('treeitem', { name: 'coin.md', exact: true }).click();
  await page.locator('.tab.active', { hasText: 'coin.md' }).waitFor({ timeout: 20_000 });
  const groups = await page.locator('.editor-group-container').count();
  // Still one group with both tabs: the panel's tab is behind the file's.
  assert.equal(
    await page
      .locator('.editor-group-container', { hasText: 'coin.md' })
      .locator('.tab', { hasText: 'StepLens' })
      .count(),
    1,
    `the file opened in the panel's group (${groups} groups)`,
  );
  await page.locator('.tab', { hasText: 'StepLens' }).first().click();
  frame = await panelFrame();
  const back = await place(frame);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-tab.png') });
  assertSamePlace(back, was, 'back from another tab');

  // A window reload: the panel comes back (its serializer) where the person was.
  // The person clicks outside the panel first, as they would before reloading.
  await page.locator('.part.statusbar').click();
  await runCommand('Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  frame = await panelFrame();
  const reloaded = await place(frame);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-reload.png') });
  assertSamePlace(reloaded, was, 'after a window reload');
  console.log(
    `selected step's top on screen: ${was.top} px before, ${back.top} back from another tab, ${reloaded.top} after a reload`,
  );
});

/** The run panel whose page shows `text`: the side view (the narrow one) or the editor panel (the wide one). */
async function panelShowing(text: string, which: 'side' | 'editor', timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const width = await frame
        .evaluate(
          (wanted) =>
            (document.querySelector('body')?.textContent ?? '').includes(wanted) ? window.innerWidth : 0,
          text,
        )
        .catch(() => 0);
      if (width > 0 && width >= 600 === (which === 'editor')) return frame;
    }
    if (Date.now() > deadline) {
      await page
        .screenshot({ path: join(TEST_OUTPUT, `e2e-panel-place-dataset-${which}.png`) })
        .catch(() => {});
      throw new Error(`the ${which === 'side' ? 'side view' : 'editor panel'} does not show "${text}"`);
    }
    await page.waitForTimeout(250);
  }
}

/** Waits until the dataset's audit log of the run holds this annotator's rating. */
async function waitForLogged(rating: { sample: number; step: number; rating: -1 | 0 | 1 }): Promise<void> {
  const log = join(datasetFolder, 'audits', `${DATASET_RUN.id}.jsonl`);
  const logged = () =>
    existsSync(log) &&
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => AuditEventSchema.parse(JSON.parse(line)))
      .some(
        (event) =>
          event.type === 'stepRating' &&
          event.annotator === 'ann' &&
          event.sample === rating.sample &&
          event.step === rating.step &&
          event.rating === rating.rating,
      );
  for (let tries = 0; !logged(); tries++) {
    if (tries === 80) assert.fail(`no rating ${JSON.stringify(rating)} in ${log}`);
    await page.waitForTimeout(250);
  }
}

async function reloadWindow(): Promise<void> {
  // The note field has the keys: the person clicks outside the panel first.
  await page.locator('.part.statusbar').click();
  await runCommand('Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
}

test('a run opened from a dataset comes back after a window reload, in the editor panel and the side view, with its labels; a removed file is named', {
  timeout: 300_000,
}, async () => {
  // A window of its own, on a workspace with a saved run and a dataset folder, nothing open yet
  // (the window of the tests before has been loaded four times).
  await workbench.close();
  const workspace = makeWorkspace();
  mkdirSync(join(workspace, '.steplens', 'runs'), { recursive: true });
  await writeRun(join(workspace, '.steplens', 'runs', `${RUN.id}.json`), RUN);
  datasetFolder = join(workspace, '.steplens', 'datasets', DATASET);
  mkdirSync(datasetFolder, { recursive: true });
  await writeQueueDataset(datasetFolder, DATASET_RUNS);
  workbench = await openWorkbench({ workspace, settings: { 'steplens.annotator': 'ann' } });
  page = workbench.page;
  await openWorkspace(page, workbench.server, workspace);
  await runCommand('StepLens: Open in Editor');
  await page.locator('.tab', { hasText: 'StepLens' }).first().waitFor({ timeout: 30_000 });
  // The StepLens side bar holds the Run and Datasets views.
  await page.locator('.activitybar a.action-label[aria-label^="StepLens"]').click();
  // The dataset's twistie lists its problems (a click on its name opens its report).
  await page
    .locator('.sidebar .monaco-list-row', { hasText: DATASET })
    .first()
    .locator('.monaco-tl-twistie')
    .click({ timeout: 30_000 });
  const problem = page.locator('.sidebar .monaco-list-row', { hasText: new RegExp(`^${DATASET_RUN.id}`) });
  await problem
    .first()
    .click({ timeout: 30_000 })
    .catch(async (error: unknown) => {
      await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-datasets-view.png') }).catch(() => {});
      const rows = await page.locator('.sidebar .monaco-list-row').allTextContents();
      throw new Error(
        `no ${DATASET_RUN.id} in the Datasets view (rows: ${JSON.stringify(rows)}): ${String(error)}`,
      );
    });
  const problemText = DATASET_RUN.problem.text.slice(0, 'Queue problem 1'.length);
  let editor = await panelShowing(problemText, 'editor');

  // In the editor panel: the second sample, its step 2, a note started there.
  await editor.locator('.sample-row[data-sample="1"]').click();
  await editor.locator('.steps-head h3', { hasText: 'Sample 1' }).waitFor();
  // A label on its step 0 (the click selects the step), saved to the dataset's audit log.
  await editor.locator('.step[data-step="0"] .chip.r1').click();
  await waitForLogged({ sample: 1, step: 0, rating: 1 });
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await editor.locator('.step.selected[data-step="2"]').waitFor();
  await page.keyboard.press('m');
  await editor.locator('.note-field').waitFor();
  await page.keyboard.type('a dataset thought');
  const was = await place(editor);
  assert.equal(was.sample, '1');
  assert.equal(was.step, '2');
  assert.equal(was.note, 'a dataset thought');

  // A reload with the editor panel alone on screen (the Explorer in the side bar): it comes back
  // with the run, where the person was. (One page restored at a time: two at once in code-server
  // now and then leave one blank, the extension never hearing from it.)
  await page.locator('.activitybar a.action-label[aria-label^="Explorer"]').click();
  await reloadWindow();
  editor = await panelShowing(problemText, 'editor');
  const reloaded = await place(editor);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-dataset-reload.png') });
  assert.equal(reloaded.sample, was.sample, 'after a reload the editor panel is on the same sample');
  assert.equal(reloaded.step, was.step, 'after a reload the editor panel is on the same step');
  assert.equal(reloaded.note, was.note, 'after a reload the note being written is still there');

  // The labels are the dataset's: the one given before the reload is shown, a new one goes to its log.
  await editor.locator('.step[data-step="0"] .chip.r1.active').waitFor({ timeout: 20_000 });
  // The note is finished first (Enter saves it), then a rating for the step.
  await editor.locator('.note-field').click();
  await page.keyboard.press('Enter');
  await editor.locator('.note-field').waitFor({ state: 'detached' });
  await editor.locator('.step.selected .chip.r-1').click();
  await waitForLogged({ sample: 1, step: 2, rating: -1 });

  // The side view alone: the editor panel closed, the side view shows the run; a reload brings it back.
  await page.locator('.tab', { hasText: 'StepLens' }).first().hover();
  await page.locator('.tab', { hasText: 'StepLens' }).first().locator('.tab-actions .action-label').click();
  await page.locator('.tab', { hasText: 'StepLens' }).first().waitFor({ state: 'detached' });
  await page.locator('.activitybar a.action-label[aria-label^="StepLens"]').click();
  let side = await panelShowing(problemText, 'side');
  const sideWas = await place(side);
  assert.ok(sideWas.sample !== null && sideWas.step !== null, 'the side view shows a step of the run');
  await reloadWindow();
  side = await panelShowing(problemText, 'side');
  const sideBack = await place(side);
  assert.equal(sideBack.sample, sideWas.sample, 'after a reload the side view is on the same sample');
  assert.equal(sideBack.step, sideWas.step, 'after a reload the side view is on the same step');

  // The run's file removed: after a reload the panel says which file is gone.
  renameSync(
    join(datasetFolder, 'runs', `${DATASET_RUN.id}.json`),
    join(datasetFolder, 'runs', `${DATASET_RUN.id}.json.moved`),
  );
  await reloadWindow();
  await panelShowing(`.steplens/datasets/${DATASET}/runs/${DATASET_RUN.id}.json is no longer there`, 'side');
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel-place-dataset-gone.png') });
});
