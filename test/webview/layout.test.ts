/**
 * The panel's layout where people use it: a narrow side bar (300 px) and a wide editor panel
 * (1400 px), in light and dark. Asserted as a person would notice it — a number broken over two
 * lines, a column behind a scrollbar, a name cut short — and photographed for docs/screenshots.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Problem } from '../../src/core/problems.js';
import type { Run } from '../../src/core/schemas.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { EIGHT_SAMPLES, LARGE_RUN, makeRun } from '../fixtures/makeRun.js';
import { ROOT } from '../support.js';
import { textContrasts } from './contrast.js';
import { openPanel, type PanelPage } from './panelPage.js';

const PRM = 'qwen2.5-math-prm-7b';
const WIDE_MATH =
  '$$\\sum_{k=1}^{12} \\left( a_k^2 + b_k^2 + c_k^2 \\right) = a_1^2 + a_2^2 + a_3^2 + a_4^2 + a_5^2 + a_6^2 + a_7^2 + a_8^2 + a_9^2 + a_{10}^2 + a_{11}^2 + a_{12}^2$$';

const PROBLEM: Problem = {
  id: 'aime-style-73',
  text: 'Let $S$ be the sum of all positive integers $n$ such that $n^2 + 12n - 2007$ is a perfect square. Find the remainder when $S$ is divided by $1000$.',
  reference: '73',
  format: 'text',
  source: { file: 'examples/aime.md' },
};

let browser: Browser;
let run: Run;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  assert.ok(
    existsSync(join(ROOT, 'dist', 'webview.js')),
    'dist/webview.js is missing: run npm run build first',
  );
  browser = await launchChromium();
  const answers = ['73', '73', '1073', '73', '\\frac{73}{2}', '173', '73', '73'];
  run = await makeRun(
    {
      ...EIGHT_SAMPLES,
      answer: (sample) => answers[sample]!,
      decorate: (sample, step, text) =>
        sample === 2 && step === 2 ? `${text} Expanding: ${WIDE_MATH}` : text,
    },
    PROBLEM,
    4,
    { prm: { id: PRM } },
  );
});

after(async () => {
  await browser?.close();
});

async function show(panel: PanelPage, shown: Run): Promise<void> {
  await panel.send({ type: 'run/show', run: shown, events: [], readOnly: false });
  await panel.page.waitForSelector('.step[data-step="2"]');
  await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
  await panel.page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** Elements matching `selector` whose text runs over more than one line, by their text. */
function wrapped(panel: PanelPage, selector: string): Promise<string[]> {
  return panel.page.$$eval(selector, (elements) =>
    elements
      .filter((element) => {
        // Text outside formulas by its line boxes; a formula by its bases (KaTeX breaks a long
        // formula between bases; a fraction's numerator and denominator are one base).
        const rects: DOMRect[] = [];
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('.katex')) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          rects.push(...range.getClientRects());
        }
        for (const base of element.querySelectorAll('.katex-html > .base'))
          rects.push(base.getBoundingClientRect());
        const tops = new Set(rects.filter((r) => r.width > 0).map((r) => Math.round(r.bottom / 4)));
        // KaTeX draws one line as boxes of a few heights: more than one line means boxes whose
        // bottoms lie a line apart.
        const bottoms = [...tops].map((t) => t * 4);
        const lineHeight = Number.parseFloat(getComputedStyle(element).lineHeight) || 18;
        return bottoms.length > 0 && Math.max(...bottoms) - Math.min(...bottoms) > lineHeight * 0.9;
      })
      .map((element) => element.textContent ?? ''),
  );
}

/** Elements matching `selector` whose text is cut (ellipsis or clipped), by their text. */
function cut(panel: PanelPage, selector: string): Promise<string[]> {
  return panel.page.$$eval(selector, (elements) =>
    elements
      .filter((element) => (element as HTMLElement).scrollWidth > (element as HTMLElement).clientWidth + 1)
      .map((element) => element.textContent ?? ''),
  );
}

describe('a narrow side bar (300 px)', () => {
  test('no horizontal scroll; answers, scores and step numbers each on one line; every column in view', async () => {
    const panel = await openPanel(browser, { width: 300, height: 1100 });
    try {
      await show(panel, run);
      const page = panel.page;
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        rows: [...document.querySelectorAll<HTMLElement>('.sample-row')]
          .filter((row) => row.scrollWidth > row.clientWidth)
          .map((row) => row.textContent),
        list: (() => {
          const list = document.querySelector<HTMLElement>('.sample-list')!;
          return list.scrollWidth - list.clientWidth;
        })(),
      }));
      assert.equal(overflow.page, 0, 'the page does not scroll sideways');
      assert.equal(overflow.list, 0, 'the samples table does not scroll sideways');
      assert.deepEqual(overflow.rows, [], 'no sample row is wider than the table');
      // "rated", the last column, ends inside the table.
      const rated = await page.$eval('.sample-columns > span:last-child', (cell) => {
        const box = cell.getBoundingClientRect();
        const list = document.querySelector('.sample-list')!.getBoundingClientRect();
        return { text: cell.textContent, inside: box.right <= list.right + 0.5 && box.width > 0 };
      });
      assert.deepEqual(rated, { text: 'rated', inside: true });
      // Never "7" over "3": answers, numbers, scores each on one line.
      for (const selector of [
        '.answer-table td',
        '.answer-text',
        '.sample-row > span',
        '.score-value',
        '.rerank-line .answer-text',
      ])
        assert.deepEqual(await wrapped(panel, selector), [], `${selector}: text on more than one line`);
      // The Answer heading is there in full.
      assert.deepEqual(await cut(panel, '.answer-table th:first-child'), []);
      assert.equal(await page.isVisible('.answer-table th:first-child'), true);
      // Both judges the same way: a score and a first-error step each.
      const cells = await page.$$eval('.sample-row[data-index="2"] .judge-col', (spans) =>
        spans
          .filter((span) => (span as HTMLElement).offsetParent)
          .map((span) => [
            span.querySelector('.cell-score')?.textContent,
            span.querySelector('.cell-first')?.textContent,
          ]),
      );
      assert.deepEqual(
        cells,
        [
          ['0.75', 'ok'],
          ['0.12', '@1'],
        ],
        'sample 2: self (three critiques of four) sees no error, the PRM one at step 1',
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('wide display math scrolls inside its own box; τ is never alone on a line; help keys do not wrap', async () => {
    const panel = await openPanel(browser, { width: 300, height: 1100 });
    try {
      await show(panel, run);
      const page = panel.page;
      const math = await page.$eval('.step[data-step="2"] .math-display', (box) => {
        const element = box as HTMLElement;
        const row = element.closest('.step')!.getBoundingClientRect();
        return {
          wider: element.scrollWidth > element.clientWidth,
          scrolls: getComputedStyle(element).overflowX,
          inside: element.getBoundingClientRect().right <= row.right + 0.5,
        };
      });
      assert.deepEqual(math, { wider: true, scrolls: 'auto', inside: true });
      await page.$eval('.step[data-step="2"] .math-display', (box) => {
        box.scrollLeft = 10_000;
      });
      assert.ok(
        (await page.$eval('.step[data-step="2"] .math-display', (box) => box.scrollLeft)) > 0,
        'the formula scrolls to its end',
      );
      const legend = await page.$eval('.steps-head .legend', (element) => {
        const tau = element.querySelector('.tau')!.getBoundingClientRect();
        const swatch = element.querySelector('.swatch.disagree')!.getBoundingClientRect();
        return {
          tauLine: Math.round(tau.top + tau.height / 2),
          swatchLine: Math.round(swatch.top + swatch.height / 2),
        };
      });
      assert.ok(
        Math.abs(legend.tauLine - legend.swatchLine) <= 4,
        `τ on the line of "disagree": ${JSON.stringify(legend)}`,
      );
      await page.keyboard.press('?');
      await page.waitForSelector('.help:not([hidden])');
      assert.deepEqual(await wrapped(panel, '.help kbd'), [], 'a key label broken over two lines');
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-narrow-help.png') });
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

test('at 300 px a 300-step run keeps every sample column in the table, and each answer whole', async () => {
  const long = await makeRun({ ...LARGE_RUN, samples: 8 });
  // One judgement failed: its cell reads "failed", wider than a score.
  const failing = long.samples[3]!;
  const prm = Object.keys(failing.judgements).find((judge) => judge !== 'self')!;
  failing.judgements[prm] = { ...failing.judgements[prm]!, error: 'HTTP 500 from the PRM endpoint' };
  // A TeX answer: typeset inline, a fraction's digits would be 70 % of the text.
  long.samples[2]!.answer = '\\frac{26}{435}';
  const panel = await openPanel(browser, { width: 300, height: 1100 });
  try {
    await show(panel, long);
    const seen = await panel.page.evaluate(() => {
      const list = document.querySelector<HTMLElement>('.sample-list')!.getBoundingClientRect();
      return {
        wide: [...document.querySelectorAll<HTMLElement>('.sample-row')]
          .filter((row) => row.scrollWidth > row.clientWidth)
          .map((row) => row.textContent),
        ratedInside: [...document.querySelectorAll<HTMLElement>('.sample-row .rated')].every(
          (cell) => cell.getBoundingClientRect().right <= list.right + 0.5,
        ),
        // An answer is whole when its text fits its own box, and that box fits the row's cell.
        cutAnswers: [...document.querySelectorAll<HTMLElement>('.sample-list .sample-row .answer')]
          .filter((cell) => {
            const text = cell.querySelector<HTMLElement>('.answer-text');
            if (!text || text.scrollWidth > text.clientWidth) return true;
            const [outer, inner] = [cell.getBoundingClientRect(), text.getBoundingClientRect()];
            return (
              inner.right > outer.right + 0.5 ||
              inner.bottom > outer.bottom + 0.5 ||
              cell.scrollWidth > cell.clientWidth
            );
          })
          .map((cell) => cell.textContent),
        // A score is whole when its column's cell (a grid cell) holds it: the score is an inline span.
        scores: [...document.querySelectorAll<HTMLElement>('.sample-list .judge-col')].filter(
          (cell) =>
            cell.querySelector('.cell-score')?.checkVisibility() && cell.scrollWidth <= cell.clientWidth,
        ).length,
      };
    });
    assert.deepEqual(seen.cutAnswers, [], 'every answer in the samples table is shown whole');
    const fraction = await panel.page.$eval('.sample-row[data-sample="2"] .answer-text', (node) => ({
      text: node.textContent,
      size: Number.parseFloat(getComputedStyle(node).fontSize),
      typeset: node.querySelector('.katex') !== null,
      title: (node as HTMLElement).title,
    }));
    assert.deepEqual(fraction, {
      text: '26/435',
      size: fraction.size,
      typeset: false,
      title: '\\frac{26}{435}',
    });
    assert.ok(fraction.size >= 12, `the answer at ${fraction.size} px`);
    assert.equal(seen.scores, 16, "8 samples' self and PRM scores, shown whole");
    assert.deepEqual(seen.wide, [], 'no sample row is wider than the table');
    assert.equal(seen.ratedInside, true, '"rated" ends inside the table');
  } finally {
    await panel.close();
  }
});

test('at 240 px the answers stay readable: the ≠ column gives way to a marked sample number, and the filters stay inside', async () => {
  const long = await makeRun({ ...LARGE_RUN, samples: 8 });
  const panel = await openPanel(browser, { width: 240, height: 1100 });
  try {
    await show(panel, long);
    const seen = await panel.page.evaluate(() => {
      const right = document.documentElement.clientWidth;
      return {
        // A short answer ("19", "22") is whole: its text and the correctness mark fit its cell.
        cutAnswers: [...document.querySelectorAll<HTMLElement>('.sample-list .sample-row .answer')]
          .filter((cell) => cell.scrollWidth > cell.clientWidth)
          .map((cell) => cell.textContent),
        disagreeColumn: [...document.querySelectorAll<HTMLElement>('.sample-list .disagree-count')].some(
          (cell) => cell.checkVisibility(),
        ),
        // Samples with disagreements, as their numbers show them (marked, the count in the title).
        marked: [...document.querySelectorAll<HTMLElement>('.sample-list .sample-row')]
          .filter(
            (row) => getComputedStyle(row.querySelector('.idx')!).backgroundColor !== 'rgba(0, 0, 0, 0)',
          )
          .map((row) => [row.dataset.sample, row.querySelector<HTMLElement>('.idx')!.title]),
        cutHeads: [...document.querySelectorAll<HTMLElement>('.sample-columns > span')]
          .filter((head) => head.checkVisibility() && head.scrollWidth > head.clientWidth + 1)
          .map((head) => head.textContent),
        withDisagreements: [
          ...document.querySelectorAll<HTMLElement>('.sample-list .sample-row.has-disagreement'),
        ].map((row) => row.dataset.sample),
        pastTheEdge: [...document.querySelectorAll<HTMLElement>('.search-bar *')]
          .filter((element) => element.getBoundingClientRect().right > right + 0.5)
          .map((element) => element.tagName.toLowerCase()),
      };
    });
    assert.deepEqual(seen.cutAnswers, [], 'every answer whole at 240 px');
    assert.deepEqual(seen.cutHeads, [], 'every column heading whole');
    // A run of short samples: "rated" over a one-digit count was cut to "r…".
    await show(panel, await makeRun(EIGHT_SAMPLES));
    const shortHeads = await panel.page.$$eval('.sample-columns > span', (heads) =>
      heads
        .filter((head) => head.checkVisibility() && head.scrollWidth > head.clientWidth + 1)
        .map((head) => head.textContent),
    );
    assert.deepEqual(shortHeads, [], 'every column heading whole over short samples');
    assert.equal(seen.disagreeColumn, false, 'no ≠ column under 280 px');
    assert.ok(seen.withDisagreements.length > 0, 'the run has samples with disagreements');
    assert.deepEqual(
      seen.marked.map(([sample]) => sample),
      seen.withDisagreements,
      'the samples with disagreements, and only they, have their numbers marked',
    );
    for (const [sample, title] of seen.marked)
      assert.match(title!, new RegExp(`^sample ${sample}: \\d+ steps? where the judges disagree$`));
    assert.deepEqual(seen.pastTheEdge, [], 'no filter runs past the side bar');
    await panel.page.screenshot({ path: join(TEST_OUTPUT, 'panel-240px.png') });
  } finally {
    await panel.close();
  }
});

test('a TeX answer is typeset at display size where it is typeset: its digits as large as the text around', async () => {
  const fraction = await makeRun({ ...EIGHT_SAMPLES });
  fraction.samples[2]!.answer = '\\frac{26}{435}';
  const panel = await openPanel(browser, { width: 600, height: 1100 });
  try {
    await show(panel, fraction);
    // tsx names the helpers below with a __name() call the page does not have.
    await panel.page.evaluate('globalThis.__name ??= (f) => f');
    const sizes = await panel.page.evaluate(() => {
      const cell = [...document.querySelectorAll<HTMLElement>('.answer-table .answer-text')].find(
        (node) => node.title === '\\frac{26}{435}',
      )!;
      // The innermost elements holding the numerator's and the denominator's digits.
      const digits = [...cell.querySelectorAll<HTMLElement>('.katex-html *')].filter(
        (node) => node.children.length === 0 && /^\d+$/.test(node.textContent ?? ''),
      );
      const fontSize = (node: Element) => Number.parseFloat(getComputedStyle(node).fontSize);
      return {
        text: fontSize(document.querySelector('.answer-table td')!),
        digits: digits.map(fontSize),
        numbers: digits.map((node) => node.textContent),
      };
    });
    assert.deepEqual(new Set(sizes.numbers), new Set(['26', '435']), JSON.stringify(sizes));
    // Inline, KaTeX sets a fraction's numerator and denominator at 70 % of its 1.21 em: 11 px beside 13 px text.
    for (const size of sizes.digits)
      assert.ok(size >= sizes.text, `digits at ${size} px beside ${sizes.text} px text`);
  } finally {
    await panel.close();
  }
});

describe('a wide editor panel (1400 px)', () => {
  test('full judge names, columns that stay together, no cut numbers', async () => {
    const panel = await openPanel(browser, { width: 1400, height: 1100 });
    try {
      await show(panel, run);
      const page = panel.page;
      assert.deepEqual(await cut(panel, '.sample-columns span'), [], 'column headings in full');
      assert.equal(await page.textContent('.sample-columns .judge-col:nth-of-type(4) .name-full'), PRM);
      assert.deepEqual(await cut(panel, '.score-label'), [], 'score labels in full');
      assert.deepEqual(await cut(panel, '.answer-table th'), [], 'answer table headings in full');
      const spread = await page.evaluate(() => {
        const heads = [...document.querySelectorAll('.sample-columns span')].map((s) =>
          s.getBoundingClientRect(),
        );
        const table = document.querySelector('.answer-table')!.getBoundingClientRect();
        return { samples: heads.at(-1)!.right - heads[0]!.left, answers: table.width };
      });
      assert.ok(spread.samples < 700, `the samples table spans ${spread.samples} px of 1400`);
      assert.ok(spread.answers <= 760, `the answers table spans ${spread.answers} px of 1400`);
      assert.equal(
        await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ),
        0,
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

/**
 * VS Code's own defaults for the colours the tags take (Light Modern / Dark Modern leave them at
 * these), set inline on <html> as VS Code does: the page's fallbacks are not all the themes'.
 */
const VSCODE_THEMES: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    '--vscode-charts-purple': '#652d90',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-foreground': '#3b3b3b',
    '--vscode-sideBar-background': '#f8f8f8',
    '--vscode-inputValidation-warningBackground': '#f6f5d2',
  },
  dark: {
    '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-foreground': '#cccccc',
    '--vscode-sideBar-background': '#181818',
    '--vscode-inputValidation-warningBackground': '#352a05',
  },
};

/** Each first-error tag on screen (and the dataset's "@3" in the samples) with its contrast. */
const tagContrasts = (panel: PanelPage) => textContrasts(panel.page, '.step .flag, .sample-row .gold-col');

describe('the icon font', () => {
  test('arriving after the first paint moves nothing: an icon takes the same box in any font', async () => {
    const panel = await openPanel(browser, { width: 560, height: 1000 });
    try {
      await show(panel, run);
      const places = () =>
        panel.page.$$eval('.answers tbody tr, .rerank-line, .sample-row, .steps-head, .step', (parts) =>
          parts.map((part) => Math.round(part.getBoundingClientRect().top * 10) / 10),
        );
      const withFont = await places();
      // Until the codicon font has loaded, its glyphs are laid out in a fallback font.
      await panel.page.$$eval('.codicon', (icons) => {
        for (const icon of icons)
          (icon as HTMLElement).style.setProperty('font-family', 'serif', 'important');
      });
      const withFallback = await places();
      assert.ok(withFont.length > 10);
      assert.deepEqual(withFallback, withFont);
    } finally {
      await panel.close();
    }
  });
});

describe('colour contrast', () => {
  test("every first-error tag (Self-PRM's, the PRM's, the dataset's) reads at 4.5:1, light and dark", async () => {
    // The dataset's column in the samples list ("@3") is measured with them: it is the same orange.
    // Sample 5 is the dataset's own row here: Self-PRM and the PRM name step 2, the dataset step 3.
    // Sample 6: Self-PRM's on a step the judges disagree on (the yellow row); sample 2: the PRM's.
    const gold = structuredClone(run);
    const own = gold.samples.find((sample) => sample.index === 5)!;
    gold.problem = { ...gold.problem, steps: [...own.steps], humanFirstError: 3 };
    const seen = new Set<string>();
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const theme of ['page defaults', 'VS Code defaults'] as const) {
        const panel = await openPanel(browser, { colorScheme, height: 1300 });
        try {
          if (theme === 'VS Code defaults')
            await panel.page.evaluate((variables) => {
              for (const [name, value] of Object.entries(variables))
                document.documentElement.style.setProperty(name, value);
            }, VSCODE_THEMES[colorScheme]);
          await show(panel, gold);
          for (const sample of [5, 6, 2]) {
            await panel.page.click(`.sample-row[data-sample="${sample}"]`);
            await panel.page.waitForFunction(
              (want) => document.querySelector('.steps-head h3')?.textContent === `Sample ${want}`,
              sample,
            );
            for (const [tag, ratio] of await tagContrasts(panel)) {
              if (tag.includes('first error')) seen.add(tag.replace(PRM, 'PRM'));
              assert.ok(
                ratio >= 4.5,
                `${colorScheme}, ${theme}, sample ${sample}: "${tag}" at ${ratio.toFixed(2)}:1`,
              );
            }
          }
          assert.deepEqual(panel.errors, []);
        } finally {
          await panel.close();
        }
      }
    }
    assert.deepEqual([...seen].sort(), ['Dataset: first error', 'PRM: first error', 'Self: first error']);
  });
});

describe('screenshots', () => {
  test('narrow and wide, light and dark (test-output/panel-{narrow,wide}-{light,dark}.png)', async () => {
    for (const [size, width] of [
      ['narrow', 300],
      ['wide', 1400],
    ] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const panel = await openPanel(browser, { colorScheme, width, height: 1300 });
        try {
          await show(panel, run);
          await panel.page.keyboard.press('1');
          await panel.page.keyboard.press('p');
          await panel.page.screenshot({ path: join(TEST_OUTPUT, `panel-${size}-${colorScheme}.png`) });
          assert.deepEqual(panel.errors, []);
        } finally {
          await panel.close();
        }
      }
    }
  });
});
