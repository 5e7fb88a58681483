/**
 * The Audit Queue keeps the note being written, end to end: the packaged .vsix in code-server,
 * driven in headless Chromium, as a new user's trial went. The queue is a WebviewPanel that VS Code
 * drops when another editor of its group is shown and loads afresh when its tab is chosen again. A
 * person moves to the second item, presses m, types half a note, clicks a file in the Explorer (it
 * opens in the queue's group), clicks the queue's tab: the same item, the note open with its text,
 * and what they type next goes on at its end. After a window reload the same again; Enter saves
 * the whole of it to the run's audit log.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { buildQueue } from '../../src/core/auditQueue.js';
import { AuditEventSchema } from '../../src/core/schemas.js';
import { TEST_OUTPUT } from '../browser.js';
import { queueDatasetRuns, writeQueueDataset } from '../fixtures/queueRuns.js';
import { makeWorkspace } from './codeServer.js';
import { openWorkbench, openWorkspace, runCommand, type Workbench, webviewFrame } from './workbench.js';

/** The page's document, as the functions run in the webview frame see it (this file has no DOM types). */
declare const document: {
  querySelector(selector: string): { value?: string; selectionStart?: number; selectionEnd?: number } | null;
  activeElement: unknown;
  hasFocus(): boolean;
};

const RUNS = queueDatasetRuns(2);
const ITEMS = buildQueue(RUNS);
const DRAFT = 'half a thought';
let workbench: Workbench;
let page: Page;
let dataset: string;

before(async () => {
  const workspace = makeWorkspace();
  dataset = join(workspace, '.steplens', 'datasets', 'place-mini');
  mkdirSync(join(dataset, 'audits'), { recursive: true });
  await writeQueueDataset(dataset, RUNS);
  workbench = await openWorkbench({ workspace, settings: { 'steplens.annotator': 'ann' } });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
});

const field = (frame: Frame) =>
  frame.evaluate(() => {
    const input = document.querySelector('.q-note-field');
    return {
      value: input?.value ?? null,
      focused: input !== null && document.activeElement === input && document.hasFocus(),
      caret: [input?.selectionStart ?? null, input?.selectionEnd ?? null],
    };
  });

test('the note being written in the queue survives another tab in its group and a window reload', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);

  await runCommand(page, 'StepLens: Open Audit Queue');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'place-mini' });
  await pick.first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  let queue = await webviewFrame(page, '.q-item', 'audit queue with an item');
  if (!(await queue.evaluate(() => document.hasFocus()))) await queue.locator('.q-facts').click();
  assert.equal(await queue.locator('.q-item').getAttribute('data-key'), ITEMS[0]!.key);
  await page.keyboard.press('n');
  const second = ITEMS[1]!;
  await queue.locator(`.q-item[data-key="${second.key}"]`).waitFor({ timeout: 10_000 });
  await page.keyboard.press('m');
  await queue.locator('.q-note-field').waitFor({ timeout: 10_000 });
  await page.keyboard.type(DRAFT);
  assert.equal((await field(queue)).value, DRAFT);

  // Another editor in the queue's group, with the mouse from the Explorer; then the queue's tab.
  await page.getByRole('treeitem', { name: 'coin.md', exact: true }).click();
  await page.locator('.tab.active', { hasText: 'coin.md' }).waitFor({ timeout: 20_000 });
  await page.locator('.tab', { hasText: 'Audit · place-mini' }).first().click();
  queue = await webviewFrame(page, '.q-note-field', 'the queue with its note field');
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-queue-place-back.png') });
  assert.equal(await queue.locator('.q-item').getAttribute('data-key'), second.key, 'the same item');
  // The webview takes the focus a moment after its tab is chosen: the field then has the keys.
  await queue.waitForFunction(
    () => {
      const input = document.querySelector('.q-note-field');
      return input !== null && document.activeElement === input && document.hasFocus();
    },
    undefined,
    { timeout: 10_000 },
  );
  assert.deepEqual(await field(queue), { value: DRAFT, focused: true, caret: [DRAFT.length, DRAFT.length] });

  await page.keyboard.type(' and more');

  // A window reload: the queue comes back (its serializer) with the note as typed.
  await page.locator('.part.statusbar').click();
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  queue = await webviewFrame(page, '.q-note-field', 'the queue with its note field after a window reload');
  assert.equal(
    await queue.locator('.q-item').getAttribute('data-key'),
    second.key,
    'the same item after a reload',
  );
  assert.equal((await field(queue)).value, `${DRAFT} and more`);
  if (!(await field(queue)).focused) await queue.locator('.q-note-field').click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await queue.locator('.q-note.own[data-saved="saved"]').waitFor({ timeout: 15_000 });
  const notes = readFileSync(join(dataset, 'audits', `${second.run}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => AuditEventSchema.parse(JSON.parse(line)))
    .filter((event) => event.type === 'note');
  assert.deepEqual(
    notes.map((event) => [event.annotator, event.sample, event.step, (event as { text: string }).text]),
    [['ann', second.sample, second.step, `${DRAFT} and more`]],
  );
});
