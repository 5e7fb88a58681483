/**
 * The run open in two StepLens webviews of code-server (the packaged .vsix, headless Chromium): the
 * side view and an editor tab's panel. A note is being written in the side view; in the editor
 * panel the person rates a step (2) and saves a note (Enter). The labels reach the side view, which
 * redraws: the keyboard stays in the editor panel and the side view's draft stays as it was (the
 * side view took the focus into its draft, whose text the next keys replaced: a new-user trial).
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
import { openWorkbench, openWorkspace, runCommand, type Workbench } from './workbench.js';

/** The page's document and window, as the functions run in the webview frame see them. */
declare const document: {
  hasFocus(): boolean;
  querySelector(selector: string): { value?: string } | null;
};
declare const window: { innerWidth: number };

const RUN = handRun({
  id: 'two-views-run',
  samples: [
    {
      steps: ['We add 2 and 3.', 'That gives 6.', 'So the answer is 6.', 'Done.'],
      self: { scores: [1, 1, 1, 1], firstError: -1 },
      prms: { 'qwen-prm': [0.9, 0.1, 0.2, 0.9] },
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

/** The run panels showing steps, the side view (the narrower) first. */
async function views(count: number): Promise<Frame[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found: { frame: Frame; width: number }[] = [];
    for (const frame of page.frames()) {
      const step = await frame.$('.step-list .step').catch(() => null);
      if (step && (await step.isVisible().catch(() => false)))
        found.push({ frame, width: await frame.evaluate(() => window.innerWidth) });
    }
    if (found.length >= count) return found.sort((a, b) => a.width - b.width).map(({ frame }) => frame);
    if (Date.now() > deadline) throw new Error(`${found.length} run panels, not ${count}`);
    await page.waitForTimeout(250);
  }
}

test('a label saved in the editor panel leaves the keyboard there and the side view’s note draft as it was', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);
  await runCommand(page, 'StepLens: Open Run');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: RUN.id });
  await pick.first().waitFor({ timeout: 20_000 });
  await pick.first().click();
  const [side] = await views(1);
  assert.ok(side);
  await runCommand(page, 'StepLens: Open in Editor');
  const [sideView, editor] = await views(2);
  assert.ok(sideView === side && editor, 'the side view and the editor panel show the run');

  // A draft in the side view, on step 0.
  await side.locator('.step[data-step="0"] .step-index').click();
  await page.keyboard.press('m');
  await side.locator('.note-field').waitFor();
  await page.keyboard.type('side draft');
  const focus = async () => ({
    side: await side.evaluate(() => document.hasFocus()),
    editor: await editor.evaluate(() => document.hasFocus()),
  });

  // In the editor panel: 2 on step 1; the side view shows the label.
  await editor.locator('.step[data-step="1"] .step-index').click();
  await page.keyboard.press('2');
  await side.locator('.step[data-step="1"] .chip.rating.r0.active').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  assert.deepEqual(
    await focus(),
    { side: false, editor: true },
    'after 2 the keyboard is in the editor panel',
  );

  // A note saved there (m, text, Enter) reaches the side view too.
  await page.keyboard.press('m');
  await editor.locator('.note-field').waitFor();
  await page.keyboard.type('the real note');
  await page.keyboard.press('Enter');
  await side.locator('.step[data-step="1"] .step-note').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  assert.deepEqual(
    await focus(),
    { side: false, editor: true },
    'after Enter the keyboard is in the editor panel',
  );
  await page.keyboard.type('j');
  assert.equal(
    await side.evaluate(() => document.querySelector('.note-field')?.value),
    'side draft',
    'the side view’s draft is as it was',
  );
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-two-views.png') });
});
