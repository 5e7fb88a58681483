/**
 * The Audit Queue view in Chromium: the page the host builds (src/queueHtml.ts, its CSP) with the
 * built dist/queue.js and a fake VS Code host that answers like the real one. Driven by keyboard
 * only: a rating labels and shows the next item, the count grows once the host says saved, `e`
 * moves to the next sample, undo takes the label back, a failed save is shown with its reason and
 * its item comes back. Untrusted text stays text. Screenshots: narrow side bar and wide editor,
 * dark and light.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildQueue, type QueueInput, queueChoices, queueRun } from '../../src/core/auditQueue.js';
import { DEFAULT_RUBRIC } from '../../src/core/rubric.js';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { handRun } from '../fixtures/queueRuns.js';
import { textContrasts } from './contrast.js';
import { openFakeWebview } from './fakeWebview.js';
import { queuePagePath } from './queuePage.js';

const HOSTILE = 'Find $x$ <img src=x onerror="window.__owned=1"></script><b>bold?</b>';

let browser: Browser;
let pagePath: string;

function inputs(): QueueInput[] {
  const steps = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) =>
      i === 2
        ? `We square both sides: $(x+1)^2 = x^2 + 2x + 1$, so $2x + 1 = 9$ and $x = 4$ (${tag}).`
        : `Step text ${i} of ${tag}: we use $a^2 + b^2 = c^2$ with a fairly long sentence that wraps in a narrow side bar.`,
    );
  return [
    {
      run: handRun({
        id: 'aime-01',
        problem: `${HOSTILE} Let $x$ be a positive integer such that $\\sqrt{2x+1} = 3$. What is $x$?`,
        reference: '4',
        samples: [
          {
            steps: steps(5, 'a0'),
            answer: '4',
            correct: true,
            self: { scores: [1, 1, 1, 1, 1], firstError: -1 },
            prms: { 'qwen-prm': [0.95, 0.9, 0.12, 0.8, 0.9] },
          },
          {
            steps: steps(4, 'a1'),
            answer: '5',
            correct: false,
            self: { scores: [1, 0.25, 1, 1], firstError: 1 },
            prms: { 'qwen-prm': [0.9, 0.85, 0.3, 0.2] },
          },
        ],
      }),
      subset: 'aime',
    },
    {
      run: handRun({
        id: 'aime-02',
        reference: '12',
        samples: [
          {
            steps: steps(3, 'b0'),
            answer: '12',
            correct: true,
            self: { scores: [1, 0.3, 1], firstError: 1 },
            prms: { 'qwen-prm': [0.9, 0.9, 0.9] },
          },
        ],
      }),
      subset: 'aime',
    },
  ];
}

function showMessage(): Extract<QueueHostMessage, { type: 'queue/show' }> {
  const all = inputs();
  const items = buildQueue(all);
  return {
    type: 'queue/show',
    dataset: 'aime-mini',
    annotator: 'ann',
    items,
    runs: all.map((input) => queueRun(input, items)),
    events: {},
    others: [{ annotator: 'bob', labelled: 2 }],
    choices: queueChoices(all),
    position: { unlabelledOnly: true },
    rubric: { text: `${DEFAULT_RUBRIC}\n\n<script>window.__owned=2</script> stays text.`, source: 'default' },
    source: { kind: 'dataset', folder: '/tmp/aime-mini' },
  };
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  pagePath = queuePagePath('aime-mini');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

interface QueuePage {
  page: Page;
  errors: string[];
  posted(): Promise<QueueWebviewMessage[]>;
  send(message: QueueHostMessage): Promise<void>;
  close(): Promise<void>;
}

async function openQueue(
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<QueuePage> {
  const view = await openFakeWebview<QueueWebviewMessage>(browser, pagePath, {
    width: options.width ?? 1100,
    height: options.height ?? 900,
    colorScheme: options.colorScheme ?? 'light',
  });
  await view.send(showMessage());
  await view.page.waitForSelector('.q-item');
  return view;
}

type Label = Extract<QueueWebviewMessage, { type: 'queue/label' }>;
const labelsPosted = async (view: QueuePage) =>
  (await view.posted()).filter((m): m is Label => m.type === 'queue/label');
const shownKey = (page: Page) => page.locator('.q-item').getAttribute('data-key');
const count = (page: Page) => page.locator('.q-count').textContent();

test('the keyboard labels, advances, undoes, jumps samples with e, and shows a failed save', async () => {
  const view = await openQueue();
  const { page } = view;
  const items = showMessage().items;
  try {
    // The strongest item first: a first-error mismatch.
    assert.equal(await shownKey(page), items[0]!.key);
    assert.equal(await count(page), `0 / ${items.length} labelled by ann`);
    assert.match((await page.locator('.q-step.current').textContent()) ?? '', /label this step/i);

    await page.keyboard.press('1');
    const first = (await labelsPosted(view))[0]!;
    assert.equal(first.runId, items[0]!.run);
    assert.deepEqual(
      { type: first.event.type, sample: first.event.sample, step: (first.event as { step: number }).step },
      { type: 'stepRating', sample: items[0]!.sample, step: items[0]!.step },
    );
    assert.equal((first.event as { rating: number }).rating, -1);
    assert.equal(await shownKey(page), items[1]!.key);
    // Not on disk yet: not counted, and it says so.
    assert.equal(await count(page), `0 / ${items.length} labelled by ann`);
    assert.match((await page.locator('.q-progress').textContent()) ?? '', /1 saving/);
    await view.send({ type: 'queue/saved', runId: first.runId, requestId: first.requestId });
    await page.waitForFunction(
      (n) => document.querySelector('.q-count')?.textContent === `1 / ${n} labelled by ann`,
      items.length,
    );

    // Undo: the rating is cleared in the log (a null event) and its item is back on screen.
    await page.keyboard.press('u');
    const undo = (await labelsPosted(view)).at(-1)!;
    assert.equal((undo.event as { rating: number | null }).rating, null);
    assert.equal(await shownKey(page), items[0]!.key);
    await view.send({ type: 'queue/saved', runId: undo.runId, requestId: undo.requestId });

    // e: the shown step is the sample's first error; the next item is another sample's.
    const before = items.find((item) => item.key === items[0]!.key)!;
    await page.keyboard.press('e');
    const marked = (await labelsPosted(view)).at(-1)!;
    assert.equal(marked.event.type, 'firstError');
    assert.equal((marked.event as { step: number }).step, before.step);
    const after = await shownKey(page);
    const next = items.find((item) => item.key === after)!;
    assert.notEqual(`${next.run}#${next.sample}`, `${before.run}#${before.sample}`);

    // A save that fails: the reason is shown, the item comes back, the same key posts again.
    await page.keyboard.press('3');
    const rated = (await labelsPosted(view)).at(-1)!;
    await view.send({
      type: 'queue/failed',
      runId: rated.runId,
      requestId: rated.requestId,
      message: 'EACCES: permission denied, open audits/x.jsonl',
    });
    await page.waitForSelector('.q-alert');
    assert.match(
      (await page.locator('.q-alert').textContent()) ?? '',
      /1 label not saved.*permission denied/s,
    );
    assert.equal(await shownKey(page), after);
    assert.match((await page.locator('.q-label').textContent()) ?? '', /not saved: EACCES/);
    assert.match((await page.locator('.q-progress').textContent()) ?? '', /1 not saved/);
    const postedBefore = (await labelsPosted(view)).length;
    await page.keyboard.press('3');
    const retried = (await labelsPosted(view)).at(-1)!;
    assert.equal((await labelsPosted(view)).length, postedBefore + 1);
    await view.send({ type: 'queue/saved', runId: retried.runId, requestId: retried.requestId });
    await page.waitForSelector('.q-alert', { state: 'detached' });

    // Where the person is goes to the host, to resume there.
    const positions = (await view.posted()).filter((m) => m.type === 'queue/position');
    assert.ok(positions.length > 0);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('problem, steps and rubric are text: no markup from a run or a rubric runs or renders', async () => {
  const view = await openQueue();
  const { page } = view;
  try {
    assert.equal(await page.locator('.q-item img, .q-rubric img, .q-rubric script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
    assert.match((await page.locator('.q-problem-text').textContent()) ?? '', /<img src=x onerror=/);
    assert.match(
      (await page.locator('.q-rubric').textContent()) ?? '',
      /<script>window.__owned=2<\/script> stays text/,
    );
    // Math typeset by KaTeX in the problem, as in the panel.
    await page.waitForSelector('.q-problem-text .katex');
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`screenshots (${colorScheme}): a narrow side bar keeps the step and both scores in sight`, async () => {
    for (const [name, width, height] of [
      ['narrow', 300, 800],
      ['wide', 1280, 820],
    ] as const) {
      const view = await openQueue({ width, height, colorScheme });
      const { page } = view;
      try {
        // The item with a long context: previous steps folded, the step in question on screen.
        await page.keyboard.press('n');
        await page.waitForFunction(() => !document.querySelector('.math-pending'));
        for (const selector of ['.q-step.current', '.q-scores', '.q-count']) {
          const box = await page.locator(selector).boundingBox();
          assert.ok(box, `${selector} is drawn`);
          assert.ok(
            box.y >= 0 && box.y + Math.min(box.height, 40) <= height,
            `${selector} is in sight at ${width}px`,
          );
        }
        // No sideways scrolling: everything wraps into the width.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${overflow}px wider than the ${width}px view`);
        // The rubric: beside the queue where there is room, folded in a narrow bar (r opens it).
        const open = await page.locator('.q-rubric').evaluate((el) => (el as HTMLDetailsElement).open);
        assert.equal(open, name === 'wide');
        await page.screenshot({
          path: join(TEST_OUTPUT, `queue-${name}-${colorScheme}.png`),
          fullPage: false,
        });
        if (name === 'narrow') {
          await page.keyboard.press('r');
          assert.equal(
            await page.locator('.q-rubric').evaluate((el) => (el as HTMLDetailsElement).open),
            true,
          );
        }
        assert.deepEqual(view.errors, []);
      } finally {
        await view.close();
      }
    }
  });
}

test('the first-error tags of the context steps read at 4.5:1, light and dark', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const view = await openQueue({ colorScheme });
    try {
      const seen: [string, number][] = [];
      // Through the queue's items, as far as the tags of both judges have been seen.
      for (let item = 0; item < showMessage().items.length; item++) {
        seen.push(...(await textContrasts(view.page, '.q-step .q-marks')));
        await view.page.keyboard.press('n');
      }
      const tags = new Set(seen.map(([text]) => text));
      assert.ok(
        [...tags].some((tag) => /Self-PRM's first error/.test(tag)),
        `Self-PRM's tag was seen: ${[...tags].join(' | ')}`,
      );
      for (const [tag, ratio] of seen)
        assert.ok(ratio >= 4.5, `${colorScheme}: "${tag}" at ${ratio.toFixed(2)}:1`);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  }
});

test('a narrow queue hides nothing of the item under the pinned key bar or the header', async () => {
  for (const width of [300, 320, 340, 360]) {
    const view = await openQueue({ width, height: 700 });
    const { page } = view;
    try {
      for (const _ of showMessage().items.slice(0, 3)) {
        await page.waitForFunction(() => !document.querySelector('.math-pending'));
        // Covered = some part of the box lies under the sticky header or the key bar.
        const hidden = (selector: string) =>
          page.evaluate((sel) => {
            const box = document.querySelector(sel)!.getBoundingClientRect();
            const top = document.querySelector('.q-top')!.getBoundingClientRect();
            const keys = document.querySelector('.q-keys')!.getBoundingClientRect();
            return box.top < top.bottom - 0.5 || box.bottom > keys.top + 0.5
              ? `${sel} at ${Math.round(box.top)}–${Math.round(box.bottom)}, header ends ${Math.round(top.bottom)}, keys start ${Math.round(keys.top)}`
              : '';
          }, selector);
        // On arrival: the step in question and both judges' scores with their first-error notes.
        for (const selector of ['.q-step.current', '.q-scores .score.self', '.q-scores .score.prm'])
          assert.equal(await hidden(selector), '', `at ${width}px on arrival`);
        // The same item drawn again (the help opened and closed) leaves the page where it was put.
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.keyboard.press('?');
        await page.keyboard.press('Escape');
        assert.equal(await page.evaluate(() => window.scrollY), 0, `at ${width}px, redrawn`);
        // Scrolled to from elsewhere (as Tab, find or a screen reader does): still clear of both bars.
        for (const selector of ['.q-label', '.q-scores .score.prm .score-facts', '.q-step.current']) {
          await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.locator(selector).evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
          assert.equal(await hidden(selector), '', `at ${width}px scrolled to`);
        }
        await page.keyboard.press('n');
      }
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  }
});

test('Order: problem by problem asks the host for that order, keeps the item shown, and is shown as chosen when the queue comes back', async () => {
  const view = await openQueue();
  const { page } = view;
  try {
    const all = inputs();
    const strongestFirst = buildQueue(all).map((item) => item.key);
    const byProblem = buildQueue(all, { order: 'problem' }).map((item) => item.key);
    // An item the two orders put at different places: shown before the order changes.
    const at = strongestFirst.findIndex((key, i) => byProblem[i] !== key);
    assert.ok(at > 0, `the two orders differ: ${strongestFirst.join(' ')} / ${byProblem.join(' ')}`);
    for (let i = 0; i < at; i++) await page.keyboard.press('n');
    const shown = await shownKey(page);
    assert.equal(shown, strongestFirst[at]);
    const order = page.getByRole('combobox', { name: /^Order$/ });
    assert.equal(await order.inputValue(), 'strength');
    await order.selectOption({ label: 'problem by problem' });
    const asked = (await view.posted()).filter((m) => m.type === 'queue/filter').at(-1);
    assert.equal(asked?.type === 'queue/filter' && asked.position.order, 'problem');
    assert.equal(asked?.type === 'queue/filter' && asked.position.key, shown ?? undefined);
    // The host's answer: the queue in that order, the position as the page sent it.
    const items = buildQueue(all, { order: 'problem' });
    await view.send({
      ...showMessage(),
      items,
      position: asked!.type === 'queue/filter' ? asked!.position : { unlabelledOnly: true },
    });
    await page.waitForFunction(
      () => (document.getElementById('q-order') as HTMLSelectElement | null)?.value === 'problem',
    );
    assert.equal(await shownKey(page), shown);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('the PRM and subset filters and the dataset name say what they are, on screen and to a screen reader', async () => {
  const view = await openQueue({ width: 300, height: 700 });
  const { page } = view;
  try {
    await view.send({
      ...showMessage(),
      choices: { prms: ['math-shepherd', 'qwen-prm'], subsets: ['aime', 'aime-mini'] },
      position: { unlabelledOnly: true, subset: 'aime-mini', prm: 'qwen-prm' },
    });
    for (const [name, value] of [
      ['Subset', 'aime-mini'],
      ['PRM', 'qwen-prm'],
    ] as const) {
      // Found by its accessible name, the way a screen reader announces it.
      const select = page.getByRole('combobox', { name: new RegExp(`^${name}$`, 'i') });
      assert.equal(await select.inputValue(), value);
      // The same name written beside it, where a sighted user reads it.
      const label = await select.evaluate((el) => {
        const labels = [...((el as HTMLSelectElement).labels ?? [])];
        const box = labels[0]?.getBoundingClientRect();
        const own = el.getBoundingClientRect();
        return {
          texts: labels.map((l) => l.textContent?.trim()),
          shown:
            !!box && box.width > 0 && box.height > 0 && getComputedStyle(labels[0]!).visibility === 'visible',
          // On the select's line (or the line above it when the row wraps), not somewhere else.
          near: !!box && box.bottom > own.top - own.height && box.top < own.bottom,
        };
      });
      assert.deepEqual(label, { texts: [name], shown: true, near: true }, `${name} select`);
      // Clicking the written name goes to its select, and the item stays where it was.
      const scrolled = await page.evaluate(() => window.scrollY);
      await page.locator(`label:text-is("${name}")`).click();
      assert.equal(await select.evaluate((el) => el === document.activeElement), true);
      assert.equal(
        await page.evaluate(() => window.scrollY),
        scrolled,
        `focusing the ${name} filter scrolled`,
      );
    }
    assert.equal(
      (await page.locator('.q-dataset').textContent())?.replace(/\s+/g, ' '),
      'Dataset: aime-mini',
    );
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `${overflow}px wider than the view`);
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-filters-narrow.png') });
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

/**
 * One item as new users met it: a problem of several lines (as an AIME problem is) and the
 * disputed step deep in a sample of long steps, so the item is taller than the editor.
 */
function longItemMessage(): Extract<QueueHostMessage, { type: 'queue/show' }> {
  const problem = Array.from(
    { length: 6 },
    (_, i) =>
      `Sentence ${i} of the problem: a circle of radius $r = ${i + 2}$ is inscribed in a right triangle whose legs differ by ${i + 1}; the tangent points cut the hypotenuse in two.`,
  ).join(' ');
  const steps = Array.from(
    { length: 9 },
    (_, i) =>
      `Step ${i}: from the tangent lengths $s - a$, $s - b$ and $s - c$ we write the area as $rs$ and compare it with $\\frac{ab}{2}$; this sentence is long on purpose so that every step takes two or three lines even in a wide editor, as real solutions do.`,
  );
  const all: QueueInput[] = [
    {
      run: handRun({
        id: 'long-01',
        problem,
        reference: '12',
        samples: [
          {
            steps,
            answer: '12',
            correct: true,
            self: { scores: steps.map(() => 1), firstError: -1 },
            prms: { 'qwen-prm': steps.map((_, i) => (i === 6 ? 0.1 : 0.9)) },
          },
        ],
      }),
      subset: 'aime',
    },
  ];
  const items = buildQueue(all);
  return {
    ...showMessage(),
    items,
    runs: all.map((input) => queueRun(input, items)),
    choices: queueChoices(all),
  };
}

/** Where the band between the pinned header and the pinned key bar lies, and where boxes sit in it. */
async function band(page: Page, selectors: string[]) {
  return page.evaluate((sels) => {
    const top = document.querySelector('.q-top')!.getBoundingClientRect().bottom;
    const bottom = document.querySelector('.q-keys')!.getBoundingClientRect().top;
    const boxes = Object.fromEntries(
      sels.map((sel) => {
        const box = document.querySelector(sel)!.getBoundingClientRect();
        return [sel, { top: box.top, bottom: box.bottom }];
      }),
    );
    return { top, bottom, scrollY: window.scrollY, boxes };
  }, selectors);
}

async function openLongItem(width: number, height: number): Promise<QueuePage> {
  const view = await openFakeWebview<QueueWebviewMessage>(browser, pagePath, { width, height });
  await view.send(longItemMessage());
  await view.page.waitForSelector('.q-item');
  await settled(view.page);
  return view;
}

/** Math typeset and the frames after it drawn: the page placed once more for the typeset heights. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.math-pending'));
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

const PROBLEM = '.q-problem-text';
/** A line of the problem's text, at the page's font. */
const LINE = 20;

test('the first item opens on the problem from its first line, with the step in question in sight', async () => {
  // A wide editor as in code-server at 1400 px, a shorter one, and a half-width editor.
  for (const [width, height] of [
    [1400, 760],
    [1400, 660],
    [700, 900],
  ] as const) {
    const view = await openLongItem(width, height);
    const { page } = view;
    try {
      const seen = await band(page, [PROBLEM, '.q-step.current']);
      const problem = seen.boxes[PROBLEM]!;
      const step = seen.boxes['.q-step.current']!;
      const where = `at ${width}×${height}: band ${Math.round(seen.top)}–${Math.round(seen.bottom)}, problem from ${Math.round(problem.top)}, step ${Math.round(step.top)}–${Math.round(step.bottom)}, scrolled ${seen.scrollY}`;
      assert.ok(
        problem.top >= seen.top - 0.5 && problem.top + LINE <= seen.bottom,
        `problem's first line: ${where}`,
      );
      assert.ok(step.top >= seen.top - 0.5 && step.bottom <= seen.bottom + 0.5, `step in question: ${where}`);
      await page.screenshot({ path: join(TEST_OUTPUT, `queue-first-view-${width}x${height}.png`) });
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  }
});

test('a view too short for both shows the step in question, the problem one Page Up away', async () => {
  const [width, height] = [1400, 420];
  const view = await openLongItem(width, height);
  const { page } = view;
  try {
    const seen = await band(page, [PROBLEM, '.q-step.current']);
    const step = seen.boxes['.q-step.current']!;
    assert.ok(
      step.top >= seen.top - 0.5 && step.bottom <= seen.bottom + 0.5,
      `step ${Math.round(step.top)}–${Math.round(step.bottom)} in band ${Math.round(seen.top)}–${Math.round(seen.bottom)}`,
    );
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-first-view-short.png') });
    await page.keyboard.press('PageUp');
    await page.waitForFunction((y) => window.scrollY < y || y === 0, seen.scrollY);
    const after = await band(page, [PROBLEM]);
    const problem = after.boxes[PROBLEM]!;
    assert.ok(
      problem.top >= after.top - 0.5 && problem.top + LINE <= after.bottom,
      `after one Page Up the problem starts at ${Math.round(problem.top)}, band ${Math.round(after.top)}–${Math.round(after.bottom)}`,
    );
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('in a 160–300 px side bar the header and key bar leave the item most of the height', async () => {
  for (const width of [160, 200, 300]) {
    const height = 700;
    const view = await openQueue({ width, height });
    const { page } = view;
    try {
      await settled(page);
      // On arrival the step in question is read below the header, above the key bar.
      const arrival = await band(page, ['.q-step.current .step-text']);
      const text = arrival.boxes['.q-step.current .step-text']!;
      assert.ok(
        text.top >= arrival.top - 0.5 && text.bottom <= arrival.bottom + 0.5,
        `at ${width}px the step's text is at ${Math.round(text.top)}–${Math.round(text.bottom)}, header ends ${Math.round(arrival.top)}, keys start ${Math.round(arrival.bottom)}`,
      );
      // Read further down, what the bars still cover of the view.
      await page.evaluate(() => window.scrollTo(0, 300));
      const covered = await page.evaluate(() => {
        const top = document.querySelector('.q-top')!.getBoundingClientRect();
        const keys = document.querySelector('.q-keys')!.getBoundingClientRect();
        const h = window.innerHeight;
        // The part of each bar's box inside the view.
        return (
          Math.max(0, Math.min(h, top.bottom) - Math.max(0, top.top)) +
          Math.max(0, Math.min(h, keys.bottom) - Math.max(0, keys.top))
        );
      });
      assert.ok(
        covered <= height * 0.25,
        `at ${width}px the bars cover ${Math.round(covered)} of ${height}px (${Math.round((covered / height) * 100)}%)`,
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${overflow}px wider than the ${width}px view`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(TEST_OUTPUT, `queue-side-bar-${width}.png`) });
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  }
});
