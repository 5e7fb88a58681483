/**
 * The panel's first paint: the real panel (problem, answers, the opened sample's first steps), not a
 * placeholder, with nothing it needs behind KaTeX, zod or a later frame; what the page did not check
 * it does not show; dollar amounts in prose stay prose.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { standaloneHtml } from '../../src/cli/view.js';
import type { Run } from '../../src/core/schemas.js';
import { launchChromium, TEST_OUTPUT } from '../browser.js';
import { DEMO_PROBLEM, EIGHT_SAMPLES, LARGE_RUN, makeRun } from '../fixtures/makeRun.js';
import { openPanel } from './panelPage.js';

let browser: Browser;
/** 8 samples × 300 steps: the size users open most. */
let run: Run;
let small: Run;

before(async () => {
  browser = await launchChromium();
  run = await makeRun({ ...LARGE_RUN, samples: 8 });
  small = await makeRun(EIGHT_SAMPLES);
});

after(async () => {
  await browser?.close();
});

/**
 * No animation frame callback ever runs: everything the panel defers until after its first paint
 * (KaTeX, zod's check, later renders, the virtual list's second pass) is blocked for good, so what
 * the page shows is what its first paint could show.
 */
const BLOCK_FRAMES = `
  window.__blockedFrames = 0;
  window.requestAnimationFrame = () => { window.__blockedFrames += 1; return 0; };
`;

async function standalonePage(
  shown: unknown,
  init?: string,
  options: { scripts?: boolean } = {},
): Promise<{ page: Page; firstFrameNotDrawn?: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-first-paint-'));
  const path = join(dir, 'run.html');
  const made = await standaloneHtml({ run: shown, events: [] }, 'first paint');
  writeFileSync(path, made.html);
  const context = await browser.newContext({
    viewport: { width: 560, height: 1000 },
    javaScriptEnabled: options.scripts ?? true,
  });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  await page.goto(`file://${path}`);
  return {
    page,
    ...(made.firstFrameNotDrawn !== undefined ? { firstFrameNotDrawn: made.firstFrameNotDrawn } : {}),
    close: () => context.close(),
  };
}

/** What a person sees of the opened sample: its heading and the first step's text. */
async function openedSample(page: Page) {
  return page.evaluate(() => ({
    heading: document.querySelector('.steps-head h3')?.textContent,
    firstStep: document.querySelector('.step[data-step="0"] .step-text')?.textContent,
    steps: document.querySelectorAll('.step').length,
    sampleRows: document.querySelectorAll('.sample-list .virtual-row').length,
    problem: document.querySelector('.problem')?.textContent ?? '',
    answers: document.querySelectorAll('.answers tbody tr').length,
    katex: typeof (window as unknown as { steplensKatex?: unknown }).steplensKatex,
    zod: typeof (window as unknown as { steplensValidators?: unknown }).steplensValidators,
    blocked: (window as unknown as { __blockedFrames?: number }).__blockedFrames,
  }));
}

const visibleSteps = (page: Page) =>
  page.$$eval('.step', (rows) => rows.filter((row) => row.checkVisibility()).length);

describe('the first paint', () => {
  test('of view --html carries the opened sample’s first steps, with KaTeX, zod and every later frame blocked', async () => {
    const { page, close } = await standalonePage(run, BLOCK_FRAMES);
    try {
      // Polled by a timer (Playwright's default polling uses the frames blocked here). The page's
      // script has taken over its drawn first frame: what is shown is the panel's own first render.
      await page.waitForFunction(
        () =>
          performance.getEntriesByName('first-contentful-paint').length > 0 &&
          !document.getElementById('app')?.hasAttribute('data-prerendered'),
        undefined,
        { polling: 100 },
      );
      const seen = await openedSample(page);
      const opened = run.samples.find((sample) => seen.heading === `Sample ${sample.index}`);
      assert.ok(opened, `the opened sample's heading is shown (saw ${seen.heading})`);
      // Math waits for KaTeX: the step's text shows its TeX source meanwhile.
      assert.equal(seen.firstStep, opened.steps[0]);
      assert.match(seen.problem, /Find the sum of the squares/);
      assert.ok(seen.answers > 0, 'the answers table is drawn');
      assert.deepEqual([seen.katex, seen.zod], ['undefined', 'undefined'], 'neither KaTeX nor zod ran');
      assert.ok((seen.blocked ?? 0) > 0, 'the panel did ask for later frames, which never came');
      // Virtualisation holds from the first paint: a screen of rows, not 300 steps or every sample.
      assert.ok(seen.steps > 3 && seen.steps <= 20, `${seen.steps} step rows`);
      assert.ok(seen.sampleRows === run.samples.length, 'all 8 sample rows fit the screen');
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-first-paint.png') });
    } finally {
      await close();
    }
  });

  test('of view --html is the frame that puts the first step’s text on screen', async () => {
    const timing = `
      window.__text = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__text.push(entry.renderTime);
      }).observe({ type: 'element', buffered: true });
    `;
    const { page, close } = await standalonePage(run, timing);
    try {
      const [fcp, text] = await page
        .waitForFunction(() => {
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
          const text = (window as unknown as { __text: number[] }).__text[0];
          return fcp !== undefined && text !== undefined ? [fcp, text] : undefined;
        })
        .then((handle) => handle.jsonValue() as Promise<[number, number]>);
      assert.equal(text, fcp, 'the step text was painted in the first contentful frame');
    } finally {
      await close();
    }
  });

  test('the filters’ selects show their chosen option from the first paint, and nothing moves as they are defined after it', async () => {
    /** Each filter's box, what it reads as, whether it is defined yet; where the samples start. */
    const filters = (page: Page) =>
      page.evaluate(() => ({
        selects: [...document.querySelectorAll<HTMLElement>('.sample-filters vscode-single-select')].map(
          (element) => {
            const box = element.getBoundingClientRect();
            return {
              box: [box.x, box.y, box.width, box.height].map(Math.round),
              reads: element.matches(':defined')
                ? (element.shadowRoot?.querySelector('.select-face .text')?.textContent ?? '').trim()
                : // biome-ignore lint/performance/useDomNodeTextContent: what shows; hidden options are not read
                  element.innerText.trim(),
              defined: element.matches(':defined'),
            };
          },
        ),
        samplesTop: Math.round(document.querySelector('.sample-list')!.getBoundingClientRect().top),
      }));
    const blocked = await standalonePage(run, BLOCK_FRAMES);
    const open = await standalonePage(run);
    try {
      await blocked.page.waitForFunction(
        () => performance.getEntriesByName('first-contentful-paint').length > 0,
        undefined,
        { polling: 100 },
      );
      await open.page.waitForFunction(() => performance.getEntriesByName('steplens:selects').length > 0);
      const first = await filters(blocked.page);
      const later = await filters(open.page);
      assert.deepEqual(
        first.selects.map((select) => select.defined),
        [false, false, false, false],
        'not defined before the first paint',
      );
      assert.deepEqual(
        later.selects.map((select) => select.defined),
        [true, true, true, true],
      );
      assert.deepEqual(
        first.selects.map((select) => select.reads),
        ['any', 'any', 'any', 'sample #'],
      );
      assert.deepEqual(
        first.selects.map((select) => select.reads),
        later.selects.map((select) => select.reads),
      );
      assert.deepEqual(
        first.selects.map((select) => select.box),
        later.selects.map((select) => select.box),
        'each face has the defined select’s box',
      );
      assert.equal(first.samplesTop, later.samplesTop, 'the samples start where they will stay');
    } finally {
      await blocked.close();
      await open.close();
    }
  });

  test('in VS Code: the frame after run/show carries the first steps, with every later frame blocked', async () => {
    const panel = await openPanel(browser, { width: 560, height: 1000 });
    try {
      await panel.page.evaluate(BLOCK_FRAMES);
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await panel.page.waitForSelector('.step[data-step="0"]');
      const seen = await openedSample(panel.page);
      const opened = run.samples.find((sample) => seen.heading === `Sample ${sample.index}`);
      assert.ok(opened, `the opened sample's heading is shown (saw ${seen.heading})`);
      assert.equal(seen.firstStep, opened.steps[0]);
      assert.deepEqual([seen.katex, seen.zod], ['undefined', 'undefined'], 'neither KaTeX nor zod ran');
      assert.ok(seen.steps > 3 && seen.steps <= 20, `${seen.steps} step rows`);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

/** The parts of the panel whose place and count the first-frame tests compare. */
const PARTS = [
  'header.problem',
  'section.answers',
  '.search-field',
  '.sample-list',
  '.sample-row[data-index="7"]',
  '.steps-head',
  '.trace vscode-collapsible',
  '.step[data-step="0"]',
  '.step[data-step="1"]',
  '.step[data-step="2"]',
];

/** Where the parts of the panel lie, and how many of each there are (a part drawn twice shows). */
const layoutOf = (page: Page) =>
  page.evaluate(
    (parts) =>
      Object.fromEntries(
        parts.map((selector) => {
          const found = document.querySelectorAll(selector);
          const rect = found[0]?.getBoundingClientRect();
          return [
            selector,
            { count: found.length, top: rect?.top ?? -1, left: rect?.left ?? -1, height: rect?.height ?? -1 },
          ];
        }),
      ),
    PARTS,
  );

describe('the first frame drawn where the page is made (view --html)', () => {
  test('shows the real panel with scripting off: problem, answers, samples, the opened sample’s first steps; run text stays text', async () => {
    const hostile = structuredClone(run);
    const attack = '</div><img src=x onerror="document.title=1"><script>document.title=2</script>';
    hostile.problem.text = `Find x. ${attack}`;
    hostile.samples[0]!.steps[0] = `First step ${attack}`;
    const { page, firstFrameNotDrawn, close } = await standalonePage(hostile, undefined, { scripts: false });
    try {
      assert.equal(firstFrameNotDrawn, undefined);
      const seen = await page.evaluate(() => {
        const app = document.getElementById('app')!;
        return {
          prerendered: app.hasAttribute('data-prerendered'),
          problem: document.querySelector('.problem-text')?.textContent,
          firstStep: document.querySelector('.step[data-step="0"] .step-text')?.textContent,
          heading: document.querySelector('.steps-head h3')?.textContent,
          answers: document.querySelectorAll('.answers tbody tr').length,
          sampleRows: document.querySelectorAll('.sample-list .sample-row').length,
          steps: document.querySelectorAll('.step').length,
          injected: app.querySelectorAll('img, script').length,
          title: document.title,
          // The components' faces before they are defined come from their attributes.
          faces: [
            ['.search-field', '::before'],
            ['.trace vscode-collapsible', '::after'],
            ['.steps-head vscode-checkbox', '::after'],
          ].map(([selector, which]) => {
            const element = document.querySelector(selector!);
            return element ? getComputedStyle(element, which).content : 'none';
          }),
        };
      });
      assert.equal(seen.prerendered, true);
      assert.equal(seen.problem, `Find x. ${attack}`);
      assert.equal(seen.heading, 'Sample 0');
      assert.equal(seen.firstStep, `First step ${attack}`);
      assert.equal(seen.injected, 0, 'no element from the run’s text');
      assert.equal(seen.title, 'first paint');
      assert.equal(seen.answers, 2);
      assert.equal(seen.sampleRows, 8);
      assert.ok(seen.steps > 3 && seen.steps <= 20, `${seen.steps} step rows`);
      const [search, trace, onlyDisagreements] = seen.faces;
      assert.match(search!, /Search steps/);
      assert.match(trace!, /Reasoning trace/);
      assert.equal(onlyDisagreements, '"Only disagreements"');
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-first-frame-no-script.png') });
    } finally {
      await close();
    }
  });

  test('the panel’s script takes the frame over where it lies: nothing moves, nothing is drawn twice', async () => {
    const drawn = await standalonePage(run, undefined, { scripts: false });
    // KaTeX (typeset after the first paint, by an animation frame) changes rows' heights itself.
    const taken = await standalonePage(run, BLOCK_FRAMES);
    try {
      // Polled by a timer: the page's animation frames are blocked, Playwright's default polling uses them.
      await taken.page.waitForFunction(
        () =>
          !document.getElementById('app')?.hasAttribute('data-prerendered') &&
          performance.getEntriesByName('steplens:first-step').length > 0,
        undefined,
        { polling: 100 },
      );
      // The rows are measured and placed before the frame that shows them (ResizeObserver).
      await taken.page.waitForTimeout(200);
      const before = await layoutOf(drawn.page);
      const after = await layoutOf(taken.page);
      for (const [part, was] of Object.entries(before)) {
        const now = after[part]!;
        assert.equal(was.count, 1, `${part} in the drawn frame`);
        assert.equal(now.count, 1, `${part} once the script has run`);
        for (const edge of ['top', 'left', 'height'] as const)
          assert.ok(Math.abs(now[edge] - was[edge]) <= 2, `${part} ${edge}: ${was[edge]} → ${now[edge]}`);
      }
    } finally {
      await drawn.close();
      await taken.close();
    }
  });
});

describe('a page scrolled before its script runs', () => {
  test('stays where it was scrolled, with the steps there on screen, once the script has taken the frame over', async () => {
    // Scrolled as far as the drawn frame goes as soon as the page is parsed: before its first
    // paint, so before the panel's script, which must neither move the page nor leave a gap there.
    const scrolled = await standalonePage(
      run,
      "document.addEventListener('DOMContentLoaded', () => window.scrollTo(0, 100000));",
    );
    try {
      await scrolled.page.waitForFunction(
        () =>
          !document.getElementById('app')?.hasAttribute('data-prerendered') &&
          performance.getEntriesByName('steplens:first-step').length > 0,
        undefined,
        { polling: 100 },
      );
      await scrolled.page.waitForTimeout(400);
      const seen = await scrolled.page.evaluate(() => ({
        scrollY: window.scrollY,
        steps: [...document.querySelectorAll<HTMLElement>('.step')]
          .filter((row) => {
            const box = row.getBoundingClientRect();
            return box.bottom > 0 && box.top < window.innerHeight;
          })
          .map((row) => Number(row.dataset.step)),
      }));
      assert.ok(seen.scrollY >= 900, `the page stays where it was scrolled (scrollY ${seen.scrollY})`);
      assert.ok(
        seen.steps.length >= 3,
        `steps on screen at scrollY ${seen.scrollY}: ${seen.steps.join(', ')}`,
      );
      assert.ok(
        Math.min(...seen.steps) > 0,
        `the steps on screen are the ones scrolled to: ${seen.steps.join(', ')}`,
      );
    } finally {
      await scrolled.close();
    }
  });
});

describe('what the page did not check it does not show', () => {
  test('a run the light check refuses is never drawn; the page names the field zod refuses', async () => {
    const bad = structuredClone(run);
    bad.samples[3]!.judgements.self!.stepScores[7] = 1.5;
    // With every frame after the first blocked, a run drawn by mistake would never be withdrawn.
    const { page, firstFrameNotDrawn, close } = await standalonePage(bad, BLOCK_FRAMES);
    try {
      assert.match(
        firstFrameNotDrawn ?? '',
        /does not pass the panel’s check/,
        'not drawn in advance either',
      );
      await page.waitForFunction(
        () => /does not parse/.test(document.querySelector('header.problem')?.textContent ?? ''),
        undefined,
        { polling: 100 },
      );
      const text = (await page.textContent('header.problem')) ?? '';
      assert.match(text, /run\.samples\.3\.judgements\.self\.stepScores\.7/);
      assert.equal(await visibleSteps(page), 0, 'no step of it is drawn');
    } finally {
      await close();
    }
  });

  test('a run only zod refuses (a duplicate judge id) is withdrawn after the first paint, with zod’s message', async () => {
    const bad = structuredClone(run);
    bad.config.prms.push({ ...bad.config.prms[0]! });
    const { page, close } = await standalonePage(bad);
    try {
      await page.waitForFunction(
        () => /does not parse/.test(document.querySelector('header.problem')?.textContent ?? ''),
        undefined,
        {
          timeout: 30_000,
        },
      );
      const text = (await page.textContent('header.problem')) ?? '';
      assert.match(text, /run\.config\.prms\.1\.id: duplicate judge id "qwen-prm"/);
      assert.equal(await visibleSteps(page), 0, 'its steps are gone');
    } finally {
      await close();
    }
  });

  test('in VS Code, a run/show only zod refuses is withdrawn and logged', async () => {
    const panel = await openPanel(browser);
    try {
      const bad = structuredClone(small);
      bad.createdAt = 'yesterday';
      await panel.send({ type: 'run/show', run: bad, events: [], readOnly: false });
      await panel.page.waitForFunction(() =>
        /does not parse/.test(document.querySelector('header.problem')?.textContent ?? ''),
      );
      assert.match((await panel.page.textContent('header.problem')) ?? '', /run\.createdAt/);
      const logged = (await panel.posted()).filter((message) => message.type === 'log/error');
      assert.equal(logged.length, 1);
      assert.match(logged[0]!.type === 'log/error' ? logged[0]!.message : '', /run\/show.*run\.createdAt/);
    } finally {
      await panel.close();
    }
  });
});

describe('dollars in prose', () => {
  test('dollar amounts stay text, inline math $x^2$ is typeset', async () => {
    const problem = {
      ...DEMO_PROBLEM,
      text: 'A bike costs $12,000 and a helmet $1,500; a bell costs \\$5. Find $x^2$ where $x = 3$.',
    };
    const shown = await makeRun(EIGHT_SAMPLES, problem);
    const panel = await openPanel(browser);
    try {
      await panel.send({ type: 'run/show', run: shown, events: [], readOnly: false });
      await panel.page.waitForSelector('.problem .katex');
      await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
      const typeset = await panel.page.$$eval('.problem .math', (nodes) =>
        nodes.map((node) => (node.querySelector('.katex') ? 'typeset' : node.textContent)),
      );
      assert.deepEqual(typeset, ['typeset', 'typeset'], '$x^2$ and $x = 3$, and nothing else, are math');
      const prose = await panel.page.$eval('.problem', (node) => {
        const copy = node.cloneNode(true) as HTMLElement;
        for (const math of copy.querySelectorAll('.math')) math.remove();
        return copy.textContent ?? '';
      });
      assert.match(prose, /costs \$12,000 and a helmet \$1,500; a bell costs \\\$5\. Find {2}where/);
    } finally {
      await panel.close();
    }
  });
});

/**
 * Notes, when the first typeset formula enters the page, whether the faces it is set in had
 * loaded: KaTeX's faces block, so a formula set in a face still loading is drawn invisible.
 */
const NOTE_FACES_AT_FIRST_FORMULA = `
  new MutationObserver((records, observer) => {
    for (const record of records)
      for (const node of record.addedNodes)
        if (node.nodeType === 1 && (node.classList.contains('katex') || node.querySelector('.katex'))) {
          window.__facesAtFirstFormula = ['1em KaTeX_Main', 'italic 1em KaTeX_Math'].map((face) => document.fonts.check(face));
          observer.disconnect();
          return;
        }
  }).observe(document, { childList: true, subtree: true });
`;

describe('typeset math', () => {
  const facesAtFirstFormula = async (page: Page) => {
    await page.waitForFunction(
      () => (window as unknown as { __facesAtFirstFormula?: boolean[] }).__facesAtFirstFormula,
      undefined,
      {
        polling: 100,
      },
    );
    return page.evaluate(
      () => (window as unknown as { __facesAtFirstFormula: boolean[] }).__facesAtFirstFormula,
    );
  };

  test('is never drawn before its faces have loaded (it would be invisible): the TeX source stays until then', async () => {
    const standalone = await standalonePage(small, NOTE_FACES_AT_FIRST_FORMULA);
    const panel = await openPanel(browser);
    try {
      assert.deepEqual(
        await facesAtFirstFormula(standalone.page),
        [true, true],
        'view --html: KaTeX_Main, KaTeX_Math',
      );
      await panel.page.evaluate(NOTE_FACES_AT_FIRST_FORMULA);
      await panel.send({ type: 'run/show', run: small, events: [], readOnly: false });
      assert.deepEqual(
        await facesAtFirstFormula(panel.page),
        [true, true],
        'VS Code panel: KaTeX_Main, KaTeX_Math',
      );
    } finally {
      await standalone.close();
      await panel.close();
    }
  });
});
