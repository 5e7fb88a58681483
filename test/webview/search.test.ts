/**
 * Search and sample filters in the built panel, driven by the keyboard only: a word searched for
 * and its matches stepped through, the samples filtered by answer, correctness and verdict and
 * sorted by score, and labels landing on the sample and step shown while a filter is on.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { EIGHT_SAMPLES, LARGE_RUN, makeRun } from '../fixtures/makeRun.js';
import { ROOT } from '../support.js';
import { contrast } from './contrast.js';
import { openPanel, type PanelPage, recordLongTasks } from './panelPage.js';

let browser: Browser;
let run: Run;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the test command installs Debian's chromium`);
  assert.ok(existsSync(join(ROOT, 'dist', 'webview.js')), 'dist/webview.js is missing: build first');
  browser = await launchChromium();
  run = await makeRun(EIGHT_SAMPLES);
});

after(async () => {
  await browser?.close();
});

async function showRun(panel: PanelPage, shown: Run): Promise<void> {
  await panel.send({ type: 'run/show', run: shown, events: [], readOnly: false });
  await panel.page.waitForSelector('.step');
}

const audits = (messages: WebviewMessage[]) =>
  messages
    .filter((m): m is Extract<WebviewMessage, { type: 'audit/append' }> => m.type === 'audit/append')
    .map(({ event: { at: _at, schemaVersion: _v, ...rest } }) => rest);

/** Waits until the search box's count says `text`. */
async function countSays(panel: PanelPage, text: string): Promise<void> {
  await panel.page.waitForFunction(
    (want) => document.querySelector('.search-count')?.textContent === want,
    text,
  );
}

/**
 * Waits until the current match under `selector` reads `text`: a query one letter short often finds
 * as many matches, so the count can say its number before the last letter is searched.
 */
async function currentMatchSays(panel: PanelPage, selector: string, text: string): Promise<void> {
  await panel.page.waitForFunction(
    ([where, want]) => document.querySelector(`${where} mark.current-match`)?.textContent === want,
    [selector, text],
  );
}

const heading = (panel: PanelPage) => panel.page.textContent('.steps-head h3');
const shownSamples = (panel: PanelPage) =>
  panel.page.$$eval('.sample-list .sample-row', (rows) =>
    rows
      .map((row) => row as HTMLElement)
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((row) => Number(row.dataset.sample)),
  );
const focusedFilter = (panel: PanelPage) =>
  panel.page.evaluate(() => document.activeElement?.closest('[data-filter]')?.getAttribute('data-filter'));

/** Chooses, from the keyboard, the option `steps` below the chosen one in the focused select. */
async function choose(panel: PanelPage, steps: number): Promise<void> {
  const keys = panel.page.keyboard;
  const isOpen = () =>
    panel.page.evaluate(() => (document.activeElement as HTMLElement & { open?: boolean }).open === true);
  await keys.press(steps >= 0 ? 'ArrowDown' : 'ArrowUp'); // opens the list at the chosen option
  await panel.page.waitForFunction(
    () => (document.activeElement as HTMLElement & { open?: boolean }).open === true,
  );
  for (let i = 0; i < Math.abs(steps); i++) await keys.press(steps >= 0 ? 'ArrowDown' : 'ArrowUp');
  await keys.press('Enter');
  await panel.page.waitForFunction(
    () => (document.activeElement as HTMLElement & { open?: boolean }).open === false,
  );
  assert.equal(await isOpen(), false);
}

describe('search in the panel', () => {
  test('every shortcut key typed into the box stays text: no label, no move, no other sample', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      const step = await panel.page.getAttribute('.step.selected', 'data-step');
      await panel.page.keyboard.press('/');
      // Ratings, first error, undo, next disagreement, step moves and the search key itself.
      await panel.page.keyboard.type('123eunjk/');
      assert.equal(
        await panel.page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value),
        '123eunjk/',
      );
      assert.deepEqual(audits(await panel.posted()), [], 'typing fired no label');
      assert.equal(await heading(panel), 'Sample 2');
      assert.equal(await panel.page.getAttribute('.step.selected', 'data-step'), step);
    } finally {
      await panel.close();
    }
  });

  test('/ types into the box (no label fires), Enter and Shift+Enter step through, Esc returns', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      assert.equal(await heading(panel), 'Sample 2', 'opened on the first disagreement (step 1)');
      const keys = panel.page.keyboard;
      await keys.press('/');
      // "vieta" holds "e" (first error here) and the box takes it as text.
      await keys.type('vieta');
      // Every sample's step 0 names Vieta, and sample 0's reasoning trace (counted first, it is shown
      // above the steps); from sample 2, step 1 the next is sample 3's.
      await countSays(panel, '5 of 9 matches in 8 samples');
      await currentMatchSays(panel, '.step.selected', 'Vieta');
      assert.equal(await heading(panel), 'Sample 3');
      assert.equal(await panel.page.getAttribute('.step.selected', 'data-step'), '0');
      assert.deepEqual(audits(await panel.posted()), [], 'typing fired no label');
      await keys.press('Enter');
      await countSays(panel, '6 of 9 matches in 8 samples');
      assert.equal(await heading(panel), 'Sample 4');
      await keys.press('Shift+Enter');
      await keys.press('Shift+Enter');
      await countSays(panel, '4 of 9 matches in 8 samples');
      assert.equal(await heading(panel), 'Sample 2');
      assert.equal(await panel.page.$$eval('mark.current-match', (marks) => marks.length), 1);
      // Esc leaves the box; the keys label again, on the step of the match.
      await keys.press('Escape');
      assert.equal(await panel.page.evaluate(() => document.activeElement === document.body), true);
      await keys.press('3');
      await keys.press('F3');
      await countSays(panel, '5 of 9 matches in 8 samples');
      await keys.press('1');
      assert.deepEqual(audits(await panel.posted()), [
        { type: 'stepRating', sample: 2, step: 0, rating: 1 },
        { type: 'stepRating', sample: 3, step: 0, rating: -1 },
      ]);
      // Esc again clears the search and its marks.
      await keys.press('Escape');
      await countSays(panel, '');
      assert.equal(await panel.page.$$eval('mark', (marks) => marks.length), 0);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('Esc goes back to the element focused before /', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      await panel.page.focus('.step.selected .chip');
      await panel.page.keyboard.press('/');
      await panel.page.keyboard.type('sum');
      await panel.page.keyboard.press('Escape');
      assert.equal(await panel.page.evaluate(() => document.activeElement?.classList.contains('chip')), true);
    } finally {
      await panel.close();
    }
  });

  test('a match in the reasoning trace is counted, opened, marked as text and scrolled to', async () => {
    const traced = structuredClone(run);
    const sample = traced.samples.find((s) => s.index === 0)!;
    // A long trace: the match is far below the top of its box, which scrolls on its own.
    sample.reasoning = `${'Thinking it over. '.repeat(1500)}Let me recall <img src=x onerror="window.__xss=1"> Vieta.`;
    const panel = await openPanel(browser, { height: 1200 });
    try {
      await showRun(panel, traced);
      const traceOpen = () =>
        panel.page.evaluate(
          () =>
            (document.querySelector('.trace vscode-collapsible') as (HTMLElement & { open: boolean }) | null)
              ?.open,
        );
      const keys = panel.page.keyboard;
      await keys.press('/');
      await keys.type('recall <IMG');
      await countSays(panel, '1 of 1 match in 1 sample');
      assert.equal(await heading(panel), 'Sample 0');
      assert.equal(await traceOpen(), true, 'the trace opened at its match');
      await currentMatchSays(panel, '.trace', 'recall <img');
      assert.equal(await panel.page.$$eval('.trace img', (images) => images.length), 0);
      assert.equal(await panel.page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
      // The match is on screen: inside the trace's box, scrolled down to it, and inside the window.
      await panel.page.waitForFunction(() => {
        const mark = document.querySelector('.trace mark.current-match')!.getBoundingClientRect();
        const box = document.querySelector('.trace pre.reasoning')!;
        const shown = box.getBoundingClientRect();
        // (A pixel's slack: the box's edge and the mark's fall on fractions of a pixel.)
        return (
          box.scrollTop > 0 &&
          mark.height > 0 &&
          mark.top >= shown.top - 1 &&
          mark.bottom <= shown.bottom + 1 &&
          mark.bottom <= window.innerHeight + 1
        );
      });
      // Trace matches come before the steps': from sample 0's step 0, Shift+Enter goes up to its trace.
      await keys.press('Control+a');
      await keys.type('vieta');
      await countSays(panel, '2 of 9 matches in 8 samples');
      await currentMatchSays(panel, '.step.selected', 'Vieta');
      await keys.press('Shift+Enter');
      await countSays(panel, '1 of 9 matches in 8 samples');
      assert.equal(await panel.page.textContent('.trace mark.current-match'), 'Vieta');
      assert.equal(await panel.page.$$eval('.step mark.current-match', (marks) => marks.length), 0);
      await keys.press('Enter');
      await countSays(panel, '2 of 9 matches in 8 samples');
      assert.equal(await panel.page.$$eval('.trace mark', (marks) => marks.length), 1);
      assert.equal(await panel.page.$$eval('.trace mark.current-match', (marks) => marks.length), 0);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('a match in a formula outlines the formula; markup in a step is marked as text', async () => {
    const hostile = structuredClone(run);
    const sample = hostile.samples.find((s) => s.index === 2)!;
    sample.steps[2] = `${sample.steps[2]} <img src=x onerror="window.__xss=1"> end`;
    const panel = await openPanel(browser, { height: 1300 });
    try {
      await showRun(panel, hostile);
      await panel.page.keyboard.press('/');
      await panel.page.keyboard.type('<IMG src');
      await countSays(panel, '1 of 1 match in 1 sample');
      await currentMatchSays(panel, '', '<img src');
      assert.deepEqual(
        await panel.page.$$eval('.sample-row.has-match', (rows) =>
          rows.map((row) => (row as HTMLElement).dataset.sample),
        ),
        ['2'],
        'the list marks the one sample with a match',
      );
      assert.equal(await panel.page.$$eval('.step img', (images) => images.length), 0);
      assert.equal(await panel.page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
      // r_1 is TeX: the typeset formula holding it is outlined, its glyphs left alone.
      await panel.page.keyboard.press('Control+a');
      await panel.page.keyboard.type('r_1 r_2');
      await countSays(panel, '4 of 8 matches in 8 samples');
      await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
      const hits = await panel.page.$$eval('.step.selected .current-match', (elements) =>
        elements.map((element) => [
          element.tagName,
          element.className,
          element.querySelector('.katex') !== null,
        ]),
      );
      assert.deepEqual(hits, [['SPAN', 'math search-hit current-match', true]]);
      assert.equal(await panel.page.$$eval('.step.selected mark', (marks) => marks.length), 0);
    } finally {
      await panel.close();
    }
  });
});

describe('filters and order of the samples', () => {
  test('answer, correctness and verdict from the keyboard; labels land on the sample shown', async () => {
    const panel = await openPanel(browser, { height: 1200 });
    try {
      await showRun(panel, run);
      const keys = panel.page.keyboard;
      await keys.press('/');
      await keys.press('Tab');
      assert.equal(await focusedFilter(panel), 'answer');
      await choose(panel, 1); // "19 (6)": the most given answer comes first
      await panel.page.waitForSelector('text=6 of 8 shown');
      assert.deepEqual(await shownSamples(panel), [0, 1, 3, 4, 6, 7]);
      assert.equal(
        await heading(panel),
        'Sample 0',
        'sample 2 (answer 22) is hidden: the first shown is selected',
      );
      await keys.press('Tab');
      assert.equal(await focusedFilter(panel), 'outcome');
      await choose(panel, 2); // "wrong (2)": no 19 is wrong
      await panel.page.waitForSelector('text=0 of 8 shown');
      assert.equal(
        await panel.page.textContent('.empty-filter'),
        'No sample is “answer 19” and “wrong” at once. Each alone keeps some: try removing one.',
      );
      assert.equal(
        await panel.page.textContent('.steps-head'),
        'StepsNo sample is shown: the filters keep none.',
      );
      await keys.press('Escape');
      await keys.press('1');
      await keys.press('e');
      assert.deepEqual(audits(await panel.posted()), [], 'no label lands on a hidden sample');
      await keys.press('/');
      await keys.press('Tab');
      await keys.press('Tab');
      await choose(panel, -1); // "correct (6)"
      await panel.page.waitForSelector('text=6 of 8 shown');
      await keys.press('Tab');
      assert.equal(await focusedFilter(panel), 'verdict');
      await choose(panel, 2); // "Self-PRM: has an error"
      await panel.page.waitForSelector('text=1 of 8 shown');
      assert.deepEqual(await shownSamples(panel), [6], 'self sees an error only in 5 (answer 25) and 6');
      await keys.press('Escape');
      await keys.press('j');
      await keys.press('1');
      await keys.press('e');
      await keys.press('J'); // the list has one sample: J stays on it
      await keys.press('3');
      assert.deepEqual(audits(await panel.posted()), [
        { type: 'stepRating', sample: 6, step: 1, rating: -1 },
        { type: 'firstError', sample: 6, step: 1 },
        { type: 'stepRating', sample: 6, step: 1, rating: 1 },
      ]);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('TeX answers are listed as text (7/3, 2√2) with their source in the title, and filter', async () => {
    const tex = structuredClone(run);
    const answers: Record<number, string> = { 2: '2\\sqrt{2}', 5: '\\dfrac{7}{3}', 7: '\\frac{7}{3}' };
    for (const sample of tex.samples) sample.answer = answers[sample.index] ?? sample.answer;
    const panel = await openPanel(browser, { height: 1200 });
    try {
      await showRun(panel, tex);
      const options = () =>
        panel.page.$$eval('.filter-answer vscode-option', (items) =>
          items.map((item) => [item.textContent, (item as HTMLElement).title]),
        );
      assert.deepEqual(await options(), [
        ['any', ''],
        ['19  (5)', ''],
        ['7/3  (2)', '\\dfrac{7}{3}'],
        ['2√2  (1)', '2\\sqrt{2}'],
      ]);
      const keys = panel.page.keyboard;
      await keys.press('/');
      await keys.press('Tab');
      await keys.press('ArrowDown');
      await panel.page.waitForFunction(
        () => (document.activeElement as HTMLElement & { open?: boolean }).open === true,
      );
      await keys.press('ArrowDown');
      await keys.press('ArrowDown');
      // The list the person sees is drawn in the select's shadow root: text there, the TeX under it.
      const drawn = await panel.page.evaluate(() => {
        const root = document.querySelector('.filter-answer')!.shadowRoot!;
        return {
          options: [...root.querySelectorAll('li.option')].map((li) => li.textContent?.trim()),
          description: root.querySelector('.description')?.textContent,
        };
      });
      assert.deepEqual(drawn, {
        options: ['any', '19  (5)', '7/3  (2)', '2√2  (1)'],
        description: '\\dfrac{7}{3}',
      });
      await keys.press('Enter');
      await panel.page.waitForSelector('text=2 of 8 shown');
      assert.deepEqual(await shownSamples(panel), [5, 7]);
      assert.equal(await panel.page.getAttribute('.shown-count', 'title'), 'filtered: answer 7/3');
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('sorted by the PRM score, low first: J walks the list as sorted and labels that sample', async () => {
    const panel = await openPanel(browser, { height: 1200 });
    try {
      await showRun(panel, run);
      const keys = panel.page.keyboard;
      await keys.press('/');
      for (let i = 0; i < 4; i++) await keys.press('Tab');
      assert.equal(await focusedFilter(panel), 'sort');
      await choose(panel, 4); // sample #, Self high, Self low, qwen-prm high, qwen-prm low
      const score = (index: number) =>
        run.samples.find((s) => s.index === index)!.judgements['qwen-prm']!.solutionScore!;
      const expected = run.samples.map((s) => s.index).sort((a, b) => score(a) - score(b) || a - b);
      await panel.page.waitForFunction(
        (first) =>
          document.querySelector('.sample-list .sample-row[data-index="0"]')?.getAttribute('data-sample') ===
          String(first),
        expected[0],
      );
      assert.deepEqual(await shownSamples(panel), expected);
      assert.deepEqual(expected.slice(0, 2), [5, 2], 'the two samples the PRM fails come first');
      await keys.press('Escape');
      assert.equal(await heading(panel), 'Sample 2', 'the selected sample stays selected');
      await keys.press('J');
      const next = expected[expected.indexOf(2) + 1]!;
      assert.equal(await heading(panel), `Sample ${next}`);
      await keys.press('2');
      assert.deepEqual(audits(await panel.posted()), [
        { type: 'stepRating', sample: next, step: 0, rating: 0 },
      ]);
    } finally {
      await panel.close();
    }
  });

  test('filters and order are kept as the run updates live', async () => {
    const panel = await openPanel(browser, { height: 1200 });
    try {
      const first = { ...run, status: 'running' as const, samples: run.samples.filter((s) => s.index < 4) };
      await showRun(panel, first);
      await panel.page.keyboard.press('/');
      await panel.page.keyboard.press('Tab');
      await panel.page.keyboard.press('Tab');
      await choose(panel, 1); // correct
      await panel.page.waitForSelector('text=3 of 4 shown');
      for (const sample of run.samples.filter((s) => s.index >= 4))
        await panel.send({ type: 'run/sample', runId: run.id, sample });
      await panel.page.waitForSelector('text=6 of 8 shown');
      assert.deepEqual(await shownSamples(panel), [0, 1, 3, 4, 6, 7]);
      assert.equal(await focusedFilter(panel), 'outcome', 'the live update left the focus where it was');
    } finally {
      await panel.close();
    }
  });

  test('outside VS Code (no theme variables) the search box and the selects follow the page: light on light, dark on dark, text at ≥ 4.5:1', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const panel = await openPanel(browser, { colorScheme });
      try {
        await showRun(panel, run);
        await panel.page.keyboard.press('/');
        await panel.page.keyboard.type('roots');
        const colours = await panel.page.evaluate(() => {
          const input = document.querySelector('.search-field')!.shadowRoot!.querySelector('input')!;
          const select = document.querySelector('.search-bar vscode-single-select')!;
          const face = select.shadowRoot!.querySelector('.select-face') ?? select;
          return {
            text: getComputedStyle(input).color,
            field: getComputedStyle(input).backgroundColor,
            selectText: getComputedStyle(face).color,
            select: getComputedStyle(face).backgroundColor,
            page: getComputedStyle(document.body).backgroundColor,
          };
        });
        const say = `${colorScheme}: ${JSON.stringify(colours)}`;
        assert.ok(contrast(colours.field, colours.page) < 1.5, `the box is in the page's scheme; ${say}`);
        assert.ok(contrast(colours.select, colours.page) < 1.5, `the select is in the page's scheme; ${say}`);
        assert.ok(contrast(colours.text, colours.field) >= 4.5, `text ${say}`);
        assert.ok(contrast(colours.selectText, colours.select) >= 4.5, `the select's text ${say}`);
      } finally {
        await panel.close();
      }
    }
  });

  test('screenshots with a search and a filter, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const panel = await openPanel(browser, { colorScheme, width: 520, height: 1300 });
      try {
        await showRun(panel, run);
        const keys = panel.page.keyboard;
        await keys.press('/');
        await keys.press('Tab');
        await keys.press('Tab');
        await choose(panel, 1); // correct
        await panel.page.waitForSelector('text=6 of 8 shown');
        await keys.press('Shift+Tab');
        await keys.press('Shift+Tab');
        await keys.type('the roots');
        await countSays(panel, '1 of 6 matches in 6 samples · 2 more in samples the filters hide');
        await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
        await panel.page.screenshot({ path: join(TEST_OUTPUT, `panel-search-${colorScheme}.png`) });
        assert.deepEqual(panel.errors, []);
      } finally {
        await panel.close();
      }
    }
  });
});

describe('search at scale: 64 samples × 300 steps', () => {
  test('every keystroke is searched once typing pauses; the longest task is measured', async (t) => {
    const large = await makeRun(LARGE_RUN);
    const panel = await openPanel(browser);
    try {
      await showRun(panel, large);
      const longTasks = await recordLongTasks(panel.page);
      await panel.page.keyboard.press('/');
      // Typed a key at a time, with a pause after each longer than the debounce: every key searches.
      for (const key of 'squares') {
        await panel.page.keyboard.type(key);
        await panel.page.waitForTimeout(200);
      }
      // Every sample ends "Therefore the sum of the squares is …".
      await countSays(panel, '1 of 64 matches in 64 samples');
      await panel.page.keyboard.press('Control+a');
      await panel.page.keyboard.type('e');
      // "e" is in nearly every word: over 100,000 matches, counted and gone through all the same.
      await panel.page.waitForFunction(() =>
        /^\d+ of \d{6} matches in 64 samples$/.test(
          document.querySelector('.search-count')?.textContent ?? '',
        ),
      );
      const count = (await panel.page.textContent('.search-count')) ?? '';
      // From where "squares" left it (a last step), on to the next sample's first "e".
      const at = Number(count.split(' ')[0]);
      await panel.page.keyboard.press('Enter');
      await panel.page.waitForFunction(
        (next) => (document.querySelector('.search-count')?.textContent ?? '').startsWith(`${next} of `),
        at + 1,
      );
      const long = await longTasks();
      t.diagnostic(`"e" over 19,200 steps: ${count}`);
      t.diagnostic(
        `long tasks while searching: ${long.length}, longest ${Math.round(Math.max(0, ...long))} ms`,
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});
