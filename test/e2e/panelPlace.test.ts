/**
 * The run panel keeps a person's place, end to end: the packaged .vsix in code-server, driven in
 * headless Chromium. The panel opened in an editor group is a WebviewPanel that VS Code drops when
 * another editor of its group is shown and loads afresh when its tab is chosen again (it does not
 * retain its page while hidden: a 64 × 300 run held by every hidden panel costs memory). A person
 * opens a run, goes to the second sample, down to step 30 (the page has to scroll), starts a note,
 * opens a file in the same group, comes back: the same sample, the same step selected, at the same
 * place on screen, the note still being written. Then a window reload: the same again.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { writeRun } from '../../src/io/runFiles.js';
import { TEST_OUTPUT } from '../browser.js';
import { handRun } from '../fixtures/queueRuns.js';
import { makeWorkspace } from './codeServer.js';
import { openWorkbench, runCommand as runPaletteCommand, type Workbench, webviewFrame } from './workbench.js';

/** The page's document and window, as the functions run in the webview frame see them. */
declare const document: {
  querySelector(selector: string): {
    textContent: string | null;
    getBoundingClientRect(): { top: number; bottom: number };
    value?: string;
    getAttribute(name: string): string | null;
  } | null;
};
declare const window: { scrollY: number; innerHeight: number };

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

let workbench: Workbench;
let page: Page;

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
  await page.goto(`${workbench.server.url}/?folder=${encodeURIComponent(workbench.server.workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.activitybar a.action-label[aria-label^="StepLens"]', { timeout: 60_000 });
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
  await page.goto(`${workbench.server.url}/?folder=${encodeURIComponent(workbench.server.workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.activitybar a.action-label[aria-label^="StepLens"]', { timeout: 60_000 });

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
