/**
 * Notes in the Audit Queue end to end: the packaged .vsix in code-server, driven in headless
 * Chromium. A dataset folder whose audit log already holds bob's note on the first item's step;
 * ann opens the queue and reads bob's note there (as text), opens the run in the panel with `o`,
 * writes her own note in the queue with `m` (typing the trial string, which must fire no shortcut),
 * and the note lands in the run's audit log under her name and shows in the open panel; a note she
 * then writes in the panel shows in the open queue.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { stampEvent } from '../../src/core/audit.js';
import { buildQueue } from '../../src/core/auditQueue.js';
import { AuditEventSchema } from '../../src/core/schemas.js';
import { TEST_OUTPUT } from '../browser.js';
import { queueDatasetRuns, writeQueueDataset } from '../fixtures/queueRuns.js';
import { makeWorkspace } from './codeServer.js';
import { openWorkbench, openWorkspace, runCommand, type Workbench, webviewFrame } from './workbench.js';

/** The page's document, as the functions run in the webview frame see it (this file has no DOM types). */
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  hasFocus(): boolean;
};

const RUNS = queueDatasetRuns(2);
const ITEMS = buildQueue(RUNS);
const FIRST = ITEMS[0]!;
const BOB = 'bob: the <b>sign</b> flips here';
const TRIAL = 'e1jnps3u0g/f';
let workbench: Workbench;
let page: Page;
let dataset: string;

before(async () => {
  const workspace = makeWorkspace();
  dataset = join(workspace, '.steplens', 'datasets', 'notes-mini');
  mkdirSync(join(dataset, 'audits'), { recursive: true });
  await writeQueueDataset(dataset, RUNS);
  const note = {
    ...stampEvent({ type: 'note', sample: FIRST.sample, step: FIRST.step, text: BOB.slice('bob: '.length) }),
    annotator: 'bob',
  };
  writeFileSync(join(dataset, 'audits', `${FIRST.run}.jsonl`), `${JSON.stringify(note)}\n`);
  workbench = await openWorkbench({ workspace, settings: { 'steplens.annotator': 'ann' } });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
});

function loggedEvents(run: string) {
  return readFileSync(join(dataset, 'audits', `${run}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => AuditEventSchema.parse(JSON.parse(line)));
}

async function waitForText(frame: Frame, selector: string, text: string, what: string): Promise<void> {
  try {
    await frame.waitForFunction(
      ([sel, expected]) => (document.querySelector(sel!)?.textContent ?? '').includes(expected!),
      [selector, text],
      { timeout: 20_000 },
    );
  } catch (error) {
    const shown = await frame
      .evaluate((sel) => document.querySelector(sel)?.textContent ?? '(nothing)', selector)
      .catch(() => '(the frame is gone)');
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-queue-notes-timeout.png') }).catch(() => {});
    throw new Error(`${what}: waited for "${text}" in ${selector}, it shows "${shown}": ${String(error)}`);
  }
}

test('a note on the step: others’ read in the queue, one’s own written there with m, and both ways with the panel', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);

  await runCommand(page, 'StepLens: Open Audit Queue');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'notes-mini' });
  await pick.first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  const queue = await webviewFrame(page, '.q-item', 'audit queue with an item');
  assert.equal(await queue.locator('.q-item').getAttribute('data-key'), FIRST.key);
  // bob's note, named, as text.
  await waitForText(queue, '.q-notes', BOB, 'bob’s note in the queue');
  assert.equal(await queue.locator('.q-notes b').count(), 0);

  // The run in the panel, at the item's step; then back to the queue, as a person clicks into it.
  if (!(await queue.evaluate(() => document.hasFocus()))) await queue.locator('.q-facts').click();
  await page.keyboard.press('o');
  const stepInPanel = `.step.selected[data-step="${FIRST.step}"]`;
  const panel = await webviewFrame(page, stepInPanel, 'the panel at the item’s step');
  await queue.locator('.q-facts').click();

  // m, the trial string, Enter: one note event in the log, ann's, and nothing else.
  const before = loggedEvents(FIRST.run).length;
  await page.keyboard.press('m');
  await queue.locator('.q-note-field').waitFor({ timeout: 10_000 });
  await page.keyboard.type(TRIAL);
  assert.equal(await queue.locator('.q-note-field').inputValue(), TRIAL);
  assert.equal(await queue.locator('.q-item').getAttribute('data-key'), FIRST.key);
  await page.keyboard.press('Enter');
  await queue.locator('.q-note.own[data-saved="saved"]').waitFor({ timeout: 15_000 });
  const added = loggedEvents(FIRST.run).slice(before);
  assert.deepEqual(
    added.map((event) => ({
      type: event.type,
      annotator: event.annotator,
      sample: event.sample,
      step: (event as { step?: number }).step,
      text: (event as { text?: string }).text,
    })),
    [{ type: 'note', annotator: 'ann', sample: FIRST.sample, step: FIRST.step, text: TRIAL }],
  );
  assert.equal(await queue.locator('.q-item').getAttribute('data-key'), FIRST.key, 'no shortcut moved on');

  // The open panel shows it (it follows the run's log).
  await waitForText(panel, `${stepInPanel} .step-note`, TRIAL, 'the queue’s note in the panel');
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-queue-notes.png') });

  // Edited in the panel: the open queue shows the new words as ann's.
  await panel.locator(stepInPanel).click();
  await page.keyboard.press('m');
  const field = panel.locator('.note-field');
  await field.waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+A');
  await page.keyboard.type('edited in the panel');
  await page.keyboard.press('Enter');
  await waitForText(queue, '.q-note.own', 'ann (you): edited in the panel', 'the panel’s note in the queue');
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-queue-notes-from-panel.png') });
  const notes = readdirSync(join(dataset, 'audits')).flatMap((name) =>
    loggedEvents(name.replace(/\.jsonl$/, '')).filter((event) => event.type === 'note'),
  );
  assert.deepEqual(
    notes.map((event) => [event.annotator, (event as { text: string }).text]),
    [
      ['bob', BOB.slice('bob: '.length)],
      ['ann', TRIAL],
      ['ann', 'edited in the panel'],
    ],
  );
});
