/**
 * The Audit Queue end to end: the packaged .vsix in code-server, driven in headless Chromium as a
 * person would. A workspace holds a small dataset folder (8 problems × 2 samples, 24 disagreeing
 * steps; written by the test from hand-built runs, as Evaluate Dataset leaves one). Open the queue
 * from the command palette, label 20 items with the keyboard alone, counting every key pressed
 * (and every click) on the queue: keystrokes per label is printed and must stay ≤ 1.2. The audit
 * logs on disk then hold exactly those 20 labels, under the annotator's name. A label the log
 * cannot take is shown with its reason and its item comes back. Switch Annotator: the
 * queue shows the new annotator's progress beside the first's, and the items they label overlap.
 * After a window reload the queue comes back by itself, where the annotator left off.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { buildQueue } from '../../src/core/auditQueue.js';
import { AuditEventSchema } from '../../src/core/schemas.js';
import { TEST_OUTPUT } from '../browser.js';
import { runCli } from '../cli.js';
import { queueDatasetRuns, writeQueueDataset } from '../fixtures/queueRuns.js';
import { makeWorkspace } from './codeServer.js';
import {
  openWorkbench,
  openWorkspace,
  runCommand as runPaletteCommand,
  type Workbench,
  webviewFrame,
} from './workbench.js';

/** The page's document, as the functions run in the webview frame see it (this file has no DOM types). */
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  hasFocus(): boolean;
};

const RUNS = queueDatasetRuns(8);
const ITEMS = buildQueue(RUNS);
const LABELS = 20;
let workbench: Workbench;
let page: Page;
let dataset: string;

before(async () => {
  const workspace = makeWorkspace();
  dataset = join(workspace, '.steplens', 'datasets', 'queue-mini');
  mkdirSync(dataset, { recursive: true });
  await writeQueueDataset(dataset, RUNS);
  workbench = await openWorkbench({ workspace, settings: { 'steplens.annotator': 'ann' } });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
});

const runCommand = (title: string): Promise<void> => runPaletteCommand(page, title);

/** The queue's page, once it shows an item. */
const queueFrame = (timeoutMs = 60_000): Promise<Frame> =>
  webviewFrame(page, '.q-item', 'audit queue with an item', timeoutMs);

/** Every audit event in the dataset's logs. */
function loggedEvents() {
  const dir = join(dataset, 'audits');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({
        run: name.replace(/\.jsonl$/, ''),
        event: AuditEventSchema.parse(JSON.parse(line)),
      })),
  );
}

/** Waits for the progress line; on a timeout, says what it showed instead and keeps a screenshot. */
async function waitForCount(frame: Frame, text: string, timeout = 15_000): Promise<void> {
  try {
    await frame.waitForFunction(
      (expected) => document.querySelector('.q-count')?.textContent === expected,
      text,
      { timeout },
    );
  } catch (error) {
    const shown = await frame
      .evaluate(() => document.querySelector('.q-count')?.textContent ?? '(no progress line)')
      .catch(() => '(the frame is gone)');
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-audit-queue-timeout.png') }).catch(() => {});
    throw new Error(`waited for "${text}", the queue shows "${shown}": ${String(error)}`);
  }
}

test('20 labels from the keyboard, ≤ 1.2 keystrokes each, all in the audit log; a second annotator overlaps', {
  timeout: 300_000,
}, async () => {
  await openWorkspace(page, workbench.server);

  // Open the queue from the palette: it asks which dataset (the workspace has one).
  await runCommand('StepLens: Open Audit Queue');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'queue-mini' });
  await pick.first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  const frame = await queueFrame();
  await waitForCount(frame, `0 / ${ITEMS.length} labelled by ann`);
  assert.equal(await frame.locator('.q-item').getAttribute('data-key'), ITEMS[0]!.key);
  // Math typeset as in the panel: KaTeX arrives after the first paint, under the page's CSP.
  await frame.locator('.q-problem-text .katex').first().waitFor({ timeout: 20_000 });

  // Every key and click on the queue from here on is counted.
  let keystrokes = 0;
  const press = async (key: string) => {
    keystrokes += 1;
    await page.keyboard.press(key);
  };
  // The new panel has the focus; if the page inside does not (yet), a person clicks into it once.
  const focused = await frame.evaluate(() => document.hasFocus());
  if (!focused) {
    keystrokes += 1;
    await frame.locator('.q-facts').click();
  }
  const ratings = ['3', '1', '2', '3', '3'];
  for (let label = 0; label < LABELS; label++) {
    const shown = await frame.locator('.q-item').getAttribute('data-key');
    await press(ratings[label % ratings.length]!);
    // Shown as labelled only once the host says the log has it.
    await waitForCount(frame, `${label + 1} / ${ITEMS.length} labelled by ann`);
    assert.notEqual(await frame.locator('.q-item').getAttribute('data-key'), shown, 'the next item is shown');
  }
  const perLabel = keystrokes / LABELS;
  console.log(`keystrokes per label = ${perLabel.toFixed(2)} (${keystrokes} keystrokes, ${LABELS} labels)`);
  assert.ok(perLabel <= 1.2, `keystrokes per label = ${perLabel}`);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-audit-queue.png') });

  // The log holds the 20 labels, each the rating pressed on the item shown, under ann's name.
  const ann = loggedEvents();
  assert.equal(ann.length, LABELS);
  for (const [i, { run, event }] of ann
    .sort((a, b) => Date.parse(a.event.at) - Date.parse(b.event.at))
    .entries()) {
    assert.equal(event.type, 'stepRating');
    assert.equal(event.annotator, 'ann');
    const item = ITEMS[i]!;
    assert.deepEqual(
      { run, sample: event.sample, step: (event as { step: number }).step },
      { run: item.run, sample: item.sample, step: item.step },
    );
    assert.equal((event as { rating: number }).rating, Number(ratings[i % ratings.length]) - 2);
  }

  // A label the log cannot take (its file replaced by a folder): the page says so with the reason,
  // the item comes back instead of being passed silently, and the same key saves it once it can.
  const failing = ITEMS[LABELS]!;
  assert.equal(await frame.locator('.q-item').getAttribute('data-key'), failing.key);
  const log = join(dataset, 'audits', `${failing.run}.jsonl`);
  renameSync(log, `${log}.aside`);
  mkdirSync(log);
  await page.keyboard.press('3');
  await frame.locator('.q-alert').waitFor({ timeout: 15_000 });
  assert.match(
    (await frame.locator('.q-alert').textContent()) ?? '',
    /1 label not saved.*q04.jsonl: is a directory/s,
  );
  assert.equal(await frame.locator('.q-item').getAttribute('data-key'), failing.key);
  assert.match((await frame.locator('.q-label').textContent()) ?? '', /not saved/);
  await waitForCount(frame, `${LABELS} / ${ITEMS.length} labelled by ann`);
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-audit-queue-failed-save.png') });
  rmSync(log, { recursive: true });
  renameSync(`${log}.aside`, log);
  await page.keyboard.press('3');
  await waitForCount(frame, `${LABELS + 1} / ${ITEMS.length} labelled by ann`);
  await frame.locator('.q-alert').waitFor({ state: 'detached', timeout: 15_000 });
  assert.equal(loggedEvents().length, LABELS + 1);

  // Another annotator: their progress starts at 0 beside ann's, the queue starts from the top again.
  await runCommand('StepLens: Switch Annotator');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  // Type where the name goes, as a person clicks into it: the focus may have gone back to the queue.
  await input.click();
  // Known names may be offered first; "Another name…" leads to the box.
  const another = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Another name' });
  if (await another.count()) await page.keyboard.press('End');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('bob');
  await page.keyboard.press('Enter');
  await waitForCount(frame, `0 / ${ITEMS.length} labelled by bob`);
  assert.match(
    (await frame.locator('.q-others').textContent()) ?? '',
    new RegExp(`ann ${LABELS + 1} / ${ITEMS.length}`),
  );
  if (!(await frame.evaluate(() => document.hasFocus()))) await frame.locator('.q-facts').click();
  for (let label = 0; label < 4; label++) {
    await page.keyboard.press('1');
    await waitForCount(frame, `${label + 1} / ${ITEMS.length} labelled by bob`);
  }
  const bob = loggedEvents().filter(({ event }) => event.annotator === 'bob');
  assert.equal(bob.length, 4);
  // The same items ann labelled first: where two annotators' labels can be compared.
  const where = (entry: { run: string; event: { sample: number } & Record<string, unknown> }) =>
    `${entry.run}#${entry.event.sample}#${String(entry.event.step)}`;
  assert.deepEqual(
    bob.map(where).sort(),
    ITEMS.slice(0, 4)
      .map((item) => item.key)
      .sort(),
  );
  await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-audit-queue-bob.png') });

  // A window reload: the queue comes back by itself, bob's, where he left off.
  const shownBeforeReload = await frame.locator('.q-item').getAttribute('data-key');
  // As a person does (and so the workbench saves its editors first): Developer: Reload Window.
  await runCommand('Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const restored = await queueFrame().catch(async (error: unknown) => {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-audit-queue-reload-failed.png') });
    throw error;
  });
  // A reloaded window on a loaded machine reads the dataset again before it counts: more time.
  await waitForCount(restored, `4 / ${ITEMS.length} labelled by bob`, 45_000);
  assert.equal(await restored.locator('.q-item').getAttribute('data-key'), shownBeforeReload);

  // The two annotators' agreement, as a person gets it: the export of the dataset's runs (the CLI,
  // the same export as Export Audits), its report beside the judges' figures.
  const runsDir = join(dataset, 'runs');
  const runFiles = readdirSync(runsDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(runsDir, name));
  const out = join(workbench.server.workspace, 'queue-export');
  const exported = await runCli(['export', ...runFiles, '--out', out]);
  assert.equal(exported.code, 0, exported.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    annotators: string[];
    contestedSamples: number;
    humanAgreement?: { stepRatings: { method: string; n: number; agreement: number; kappa: number | null } };
  };
  // Worked out here from the logs alone: bob's four ratings against ann's on the same steps.
  const logged = loggedEvents();
  const at = (entry: (typeof logged)[number]) =>
    `${entry.run}#${entry.event.sample}#${String((entry.event as { step?: number }).step)}`;
  const rating = (entry: (typeof logged)[number]) => (entry.event as { rating: number }).rating;
  const annRatings = new Map(
    logged
      .filter((entry) => entry.event.annotator === 'ann' && entry.event.type === 'stepRating')
      .map((entry) => [at(entry), rating(entry)]),
  );
  const pairs = logged
    .filter((entry) => entry.event.annotator === 'bob')
    .map((entry) => [annRatings.get(at(entry)), rating(entry)] as const);
  const observed = pairs.filter(([a, b]) => a === b).length / pairs.length;
  const share = (side: 0 | 1, value: number) =>
    pairs.filter((pair) => pair[side] === value).length / pairs.length;
  const chance = [-1, 0, 1].reduce((sum, value) => sum + share(0, value) * share(1, value), 0);
  assert.deepEqual([...report.annotators].sort(), ['ann', 'bob']);
  assert.equal(report.humanAgreement?.stepRatings.method, 'cohen');
  assert.equal(report.humanAgreement?.stepRatings.n, 4);
  assert.equal(report.humanAgreement?.stepRatings.agreement, observed);
  assert.equal(
    report.humanAgreement?.stepRatings.kappa,
    chance === 1 ? null : (observed - chance) / (1 - chance),
  );
  console.log(
    `ann vs bob on ${pairs.length} shared steps: agreement ${observed}, Cohen's κ ${report.humanAgreement?.stepRatings.kappa}; contested samples ${report.contestedSamples}`,
  );
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /Annotator agreement \(Cohen's κ\)/);
});
