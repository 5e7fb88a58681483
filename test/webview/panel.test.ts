import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { AuditEventSchema, type Run } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { EIGHT_SAMPLES, LARGE_RUN, makeRun, THIRTY_STEPS } from '../fixtures/makeRun.js';
import { ROOT } from '../support.js';
import { openPanel, type PanelPage } from './panelPage.js';

let browser: Browser;
let run: Run;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the test command installs Debian's chromium`);
  assert.ok(
    existsSync(join(ROOT, 'dist', 'webview.js')),
    'dist/webview.js is missing: run npm run build first',
  );
  browser = await launchChromium();
  run = await makeRun(EIGHT_SAMPLES);
});

after(async () => {
  await browser?.close();
});

async function showRun(panel: PanelPage, shown: Run, readOnly = false): Promise<void> {
  await panel.send({ type: 'run/show', run: shown, events: [], readOnly });
  await panel.page.waitForSelector('.step');
}

const audits = (messages: WebviewMessage[]) =>
  messages
    .filter((m): m is Extract<WebviewMessage, { type: 'audit/append' }> => m.type === 'audit/append')
    .map((m) => m.event);

/** Text of each visible step's score values: [self, prm]. */
async function scoreValues(panel: PanelPage): Promise<Record<string, [string, string]>> {
  return panel.page.$$eval('.step', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        (row as HTMLElement).dataset.step!,
        [
          row.querySelector('.score.self .score-value')?.textContent ?? '',
          row.querySelector('.score.prm .score-value')?.textContent ?? '',
        ],
      ]),
    ),
  );
}

describe('the panel with a run of 8 samples', () => {
  test('opens on the first disagreement, with self and PRM scores side by side for every step', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      const title = await panel.page.textContent('.steps-head h3');
      assert.equal(title, 'Sample 2', 'sample 2 is the first where the judges disagree');
      const scores = await scoreValues(panel);
      const sample = run.samples.find((s) => s.index === 2)!;
      for (const [step, [self, prm]] of Object.entries(scores)) {
        assert.equal(
          self,
          sample.judgements.self!.stepScores[Number(step)]!.toFixed(2),
          `self score of step ${step}`,
        );
        assert.equal(
          prm,
          sample.judgements['qwen-prm']!.stepScores[Number(step)]!.toFixed(2),
          `PRM score of step ${step}`,
        );
      }
      assert.deepEqual(scores['1'], ['0.75', '0.12']);
      // The bars are drawn to scale.
      const widths = await panel.page.$eval('.step[data-step="1"]', (row) => [
        (row.querySelector('.score.self .fill') as HTMLElement).style.width,
        (row.querySelector('.score.prm .fill') as HTMLElement).style.width,
      ]);
      assert.deepEqual(widths, ['75%', '12%']);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('disagreements are highlighted and the filter shows only them', async () => {
    // Tall enough that all six steps of sample 2 lie within the viewport and its overscan once
    // their math is typeset (the list renders only those).
    const panel = await openPanel(browser, { height: 1300 });
    try {
      await showRun(panel, run);
      const flagged = await panel.page.$$eval('.step', (rows) =>
        rows.map((row) => [(row as HTMLElement).dataset.step, row.classList.contains('disagree')]),
      );
      assert.deepEqual(flagged, [
        ['0', false],
        ['1', true],
        ['2', true],
        ['3', true],
        ['4', true],
        ['5', true],
      ]);
      assert.match(
        (await panel.page.textContent('.step[data-step="1"] .flags')) ?? '',
        /qwen-prm: first error/,
      );
      assert.match(
        (await panel.page.textContent('.samples .section-head')) ?? '',
        /disagree on 8 steps in 2 of 8 samples/,
      );
      await panel.page.keyboard.press('f');
      await panel.page.waitForFunction(() => document.querySelectorAll('.step').length === 5);
      // Sample 0 has no disagreement: with the filter on, it says so instead of showing nothing.
      await panel.page.click('.sample-row[data-index="0"]');
      await panel.page.waitForSelector('text=The judges agree on every step of this sample.');
      assert.equal(await panel.page.$$eval('.step', (rows) => rows.length), 0);
    } finally {
      await panel.close();
    }
  });

  test('labels from the keyboard are posted as audit events at once; undo posts the inverse', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      const keys = panel.page.keyboard;
      await keys.press('1'); // step 1 of sample 2 (the first disagreement) is wrong
      await keys.press('p'); // and the PRM was right
      await keys.press('e'); // it is the human first error
      await keys.press('j');
      await keys.press('2'); // step 2: neutral
      await keys.press('u'); // undo that
      await keys.press('Shift+J'); // next sample
      await keys.press('3'); // its step 0 is good
      await keys.press('0'); // the sample has no error
      const events = audits(await panel.posted());
      for (const event of events) AuditEventSchema.parse(event);
      assert.deepEqual(
        events.map(({ at: _at, schemaVersion: _v, ...rest }) => rest),
        [
          { type: 'stepRating', sample: 2, step: 1, rating: -1 },
          { type: 'whoWasRight', sample: 2, step: 1, judge: 'qwen-prm', who: 'prm' },
          { type: 'firstError', sample: 2, step: 1 },
          { type: 'stepRating', sample: 2, step: 2, rating: 0 },
          { type: 'stepRating', sample: 2, step: 2, rating: null },
          { type: 'stepRating', sample: 3, step: 0, rating: 1 },
          { type: 'firstError', sample: 3, step: -1 },
        ],
      );
      // What the person sees: sample 3 selected, its step 0 rated +1, sample 2 counted as labeled.
      assert.equal(await panel.page.textContent('.steps-head h3'), 'Sample 3');
      assert.equal(
        await panel.page.getAttribute('.step[data-step="0"] .chip.rating.r1', 'aria-pressed'),
        'true',
      );
      assert.match((await panel.page.textContent('.sample-row[data-index="2"]')) ?? '', /1\/6 ✓/);
    } finally {
      await panel.close();
    }
  });

  test('a command name typed after F1 never labels: the letters are dropped until Escape, then keys label again', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      const selected = () => panel.page.getAttribute('.step.selected', 'data-step');
      const before = await selected();
      const keys = panel.page.keyboard;
      // The palette did not open (the webview kept the F1): "Reload e1" reaches the panel.
      await keys.press('F1');
      await keys.type('Reload e1 jj');
      assert.deepEqual(audits(await panel.posted()), [], 'nothing labelled');
      assert.equal(await selected(), before, 'nothing moved');
      await keys.press('Escape');
      await keys.press('1');
      assert.deepEqual(
        audits(await panel.posted()).map((event) => [
          event.type,
          'rating' in event ? event.rating : undefined,
        ]),
        [['stepRating', -1]],
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('a TeX reference answer is typeset, as the samples’ answers are', async () => {
    const panel = await openPanel(browser);
    try {
      const shown = structuredClone(run);
      shown.problem.reference = '\\frac{7}{3}';
      await showRun(panel, shown);
      await panel.page.waitForSelector('.reference .katex');
      assert.equal(await panel.page.getAttribute('.reference .answer-text', 'title'), '\\frac{7}{3}');
      assert.doesNotMatch((await panel.page.textContent('.reference')) ?? '', /\\frac/);
    } finally {
      await panel.close();
    }
  });

  test('undo redraws the step it changes, even after moving to another step', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      await panel.page.keyboard.press('1');
      await panel.page.waitForSelector('.step[data-step="1"] .chip.rating.r-1.active');
      await panel.page.keyboard.press('j');
      await panel.page.keyboard.press('u');
      await panel.page.waitForSelector('.step[data-step="2"].selected');
      assert.deepEqual(
        audits(await panel.posted()).map(
          (event) => event.type === 'stepRating' && [event.step, event.rating],
        ),
        [
          [1, -1],
          [1, null],
        ],
      );
      assert.equal(
        await panel.page.$$eval('.chip.active', (chips) => chips.length),
        0,
        'step 1 shows no rating',
      );
    } finally {
      await panel.close();
    }
  });

  test('m opens a note field that takes what is typed, digits and shortcut letters too; Enter posts the note', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      await panel.page.keyboard.press('2'); // an earlier label the note must not touch
      await panel.page.keyboard.press('m');
      await panel.page.waitForSelector('.step[data-step="1"] .note-field');
      // Every key here is a shortcut outside the field (p, r, e, 1, s, n, …): none may fire.
      await panel.page.keyboard.type('PRM right here, = 1+1 test');
      await panel.page.keyboard.press('Enter');
      await panel.page.waitForSelector('.step[data-step="1"] .step-note');
      assert.match(
        (await panel.page.textContent('.step[data-step="1"] .step-note')) ?? '',
        /PRM right here, = 1\+1 test/,
      );
      assert.deepEqual(
        audits(await panel.posted()).map(({ at: _at, schemaVersion: _v, ...rest }) => rest),
        [
          { type: 'stepRating', sample: 2, step: 1, rating: 0 },
          { type: 'note', sample: 2, step: 1, text: 'PRM right here, = 1+1 test' },
        ],
      );
      assert.equal(await panel.page.$('.note-field'), null, 'Enter closes the field');
      assert.equal(
        await panel.page.getAttribute('.step[data-step="1"] .chip.rating.r0', 'aria-pressed'),
        'true',
        'the 0 set before is still there',
      );
    } finally {
      await panel.close();
    }
  });

  test('the Enter that ends an input method’s composition (Japanese, Chinese) does not save the note', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      await panel.page.keyboard.press('m');
      await panel.page.waitForSelector('.step[data-step="1"] .note-field');
      await panel.page.keyboard.type('符号');
      // What Chromium sends when Enter picks the input method's candidate: the word is not done.
      await panel.page.evaluate(() =>
        document
          .querySelector('.note-field')!
          .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true })),
      );
      assert.deepEqual(audits(await panel.posted()), [], 'nothing saved');
      assert.notEqual(await panel.page.$('.note-field'), null, 'the field is still open');
      await panel.page.keyboard.type('が逆');
      await panel.page.keyboard.press('Enter');
      await panel.page.waitForSelector('.step[data-step="1"] .step-note');
      assert.deepEqual(
        audits(await panel.posted()).map(({ at: _at, schemaVersion: _v, ...rest }) => rest),
        [{ type: 'note', sample: 2, step: 1, text: '符号が逆' }],
      );
    } finally {
      await panel.close();
    }
  });

  test('the note field stays open when clicked into, Escape cancels it, and it never covers the next step', async () => {
    const panel = await openPanel(browser, { height: 1300 });
    try {
      await showRun(panel, run);
      await panel.page.keyboard.press('m');
      const field = panel.page.locator('.step[data-step="1"] .note-field');
      await field.waitFor();
      await field.click();
      await panel.page.keyboard.type('first draft');
      assert.equal(await field.count(), 1, 'clicking into the field keeps it open');
      await settled(panel);
      const boxes = await panel.page.evaluate(() => ({
        field: document.querySelector('.note-field')!.getBoundingClientRect().bottom,
        row: document.querySelector('.step[data-step="1"]')!.closest('.virtual-row')!.getBoundingClientRect()
          .bottom,
        next: document.querySelector('.step[data-step="2"]')!.getBoundingClientRect().top,
      }));
      assert.ok(
        boxes.field <= boxes.row,
        `the field (bottom ${boxes.field}) lies inside its row (${boxes.row})`,
      );
      assert.ok(
        boxes.next >= boxes.row - 1,
        `the next step (top ${boxes.next}) starts below the row (${boxes.row})`,
      );
      assert.deepEqual((await rowMisfits(panel)).misfits, []);
      await panel.page.keyboard.press('Escape');
      await field.waitFor({ state: 'detached' });
      assert.deepEqual(audits(await panel.posted()), [], 'Escape saves nothing');
      assert.equal(await panel.page.$('.step[data-step="1"] .step-note'), null);
      await panel.page.keyboard.press('3');
      await panel.page.waitForSelector('.step[data-step="1"] .chip.rating.r1.active');
    } finally {
      await panel.close();
    }
  });

  test('labels come back from the audit log: a panel shown the events shows the labels', async () => {
    const panel = await openPanel(browser);
    try {
      const at = '2026-11-28T10:00:00.000Z';
      await panel.send({
        type: 'run/show',
        run,
        events: [
          { type: 'stepRating', schemaVersion: 1, at, sample: 2, step: 1, rating: -1 },
          { type: 'whoWasRight', schemaVersion: 1, at, sample: 2, step: 1, judge: 'qwen-prm', who: 'prm' },
          { type: 'note', schemaVersion: 1, at, sample: 2, step: 1, text: 'the PRM caught the slip' },
        ],
        readOnly: false,
      });
      await panel.page.waitForSelector('.step[data-step="1"] .chip.rating.r-1.active');
      assert.equal(
        await panel.page.getAttribute('.step[data-step="1"] .chip.who.active', 'title'),
        'who was right: prm (key p)',
      );
      assert.match(
        (await panel.page.textContent('.step[data-step="1"] .step-note')) ?? '',
        /the PRM caught the slip/,
      );
    } finally {
      await panel.close();
    }
  });

  test('live deltas fill the panel as samples and judgements arrive', async () => {
    const panel = await openPanel(browser);
    try {
      const skeleton: Run = { ...structuredClone(run), samples: [], rerank: [], status: 'running' };
      await panel.send({ type: 'run/show', run: skeleton, events: [], readOnly: false });
      await panel.page.waitForSelector('text=No answers yet.');
      const sample = structuredClone(run.samples[2]!);
      const judgements = sample.judgements;
      sample.judgements = {};
      await panel.send({ type: 'run/sample', runId: run.id, sample });
      await panel.page.waitForSelector('.step[data-step="1"]');
      assert.deepEqual((await scoreValues(panel))['1'], ['–', '–']);
      await panel.send({
        type: 'run/judgement',
        runId: run.id,
        sample: 2,
        judge: 'qwen-prm',
        judgement: judgements['qwen-prm']!,
      });
      await panel.send({
        type: 'run/judgement',
        runId: run.id,
        sample: 2,
        judge: 'self',
        judgement: judgements.self!,
      });
      await panel.page.waitForFunction(
        () => document.querySelector('.step[data-step="1"] .score.self .score-value')?.textContent === '0.75',
      );
      assert.deepEqual((await scoreValues(panel))['1'], ['0.75', '0.12']);
      await panel.send({
        type: 'run/progress',
        runId: run.id,
        status: 'running',
        progress: { sampled: 1, sampleTotal: 8, judged: 2, judgeTotal: 16 },
      });
      await panel.page.waitForSelector('text=sampled 1/8 · judged 2/16');
      await panel.send({ type: 'run/finished', runId: run.id, status: 'complete', rerank: run.rerank });
      await panel.page.waitForSelector('.rerank-line .pick');
    } finally {
      await panel.close();
    }
  });

  test('a pick decided by a tie says so beside its answer, with the rule that broke it', async () => {
    // Only majority tied here (the fixture's other picks lose their tie flag).
    const tied = {
      ...run,
      rerank: run.rerank.map(({ tie: _tie, ...pick }) =>
        pick.method === 'majority'
          ? { ...pick, tie: true, rule: 'a tie goes to the answer seen first in sample order' }
          : pick,
      ),
    };
    const panel = await openPanel(browser);
    try {
      await showRun(panel, tied);
      const picks = await panel.page.$$eval('.rerank-line .pick', (nodes) =>
        nodes.map((node) => ({
          text: node.textContent ?? '',
          tie: node.querySelector('.pick-tie')?.getAttribute('title'),
        })),
      );
      const majority = picks.find((pick) => pick.text.startsWith('Majority'));
      assert.match(majority?.text ?? '', /\(tie\)$/);
      assert.equal(majority?.tie, 'a tie goes to the answer seen first in sample order');
      assert.ok(
        picks.filter((pick) => pick !== majority).every((pick) => !pick.text.includes('(tie)')),
        'only the tied pick says it',
      );
    } finally {
      await panel.close();
    }
  });

  test('screenshots in light and dark themes', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const panel = await openPanel(browser, { colorScheme, width: 520, height: 1300 });
      try {
        await showRun(panel, run);
        await panel.page.keyboard.press('1');
        await panel.page.keyboard.press('p');
        await panel.page.screenshot({ path: join(TEST_OUTPUT, `panel-${colorScheme}.png`) });
        assert.deepEqual(panel.errors, []);
      } finally {
        await panel.close();
      }
    }
  });
});

describe("the dataset's own labels (gold)", () => {
  test("a run scoring a row's own steps shows the row's first error beside the judges' and its final-answer verdict", async () => {
    // A ProcessBench row: the solution is the row's own; its label says the first error is step 2.
    const own = structuredClone(run.samples.find((s) => s.index === 2)!);
    const row: Run = structuredClone(run);
    const { reference: _none, ...problem } = row.problem;
    row.problem = {
      ...problem,
      id: 'gsm8k-7',
      format: 'processbench',
      steps: [...own.steps],
      humanFirstError: 2,
      finalAnswerCorrect: false,
      source: { file: 'processbench.jsonl', row: 8 },
    };
    row.samples = [{ ...own, index: 0 }];
    row.rerank = [];
    const panel = await openPanel(browser, { height: 1300 });
    try {
      await showRun(panel, row);
      await panel.page.waitForSelector('.step[data-step="2"] .flag.gold');
      const flags = await panel.page.$$eval('.step .flags', (all) =>
        all.map((flags) => [(flags.closest('.step') as HTMLElement).dataset.step, flags.textContent?.trim()]),
      );
      assert.deepEqual(flags, [
        ['1', 'qwen-prm: first error'],
        ['2', 'Dataset: first error'],
      ]);
      const header = (await panel.page.textContent('header.problem')) ?? '';
      assert.match(header, /Dataset: final answer incorrect/);
      assert.match(header, /Dataset: first error at step 2/);
      assert.doesNotMatch(header, /No reference answer/);
      assert.equal((await panel.page.textContent('.sample-row[data-index="0"] .gold-col'))?.trim(), '@2');
      assert.match((await panel.page.textContent('.steps-head')) ?? '', /dataset: error @2/);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('sampled solutions carry no gold marker', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      assert.equal(await panel.page.$('.flag.gold, .gold-col'), null);
      assert.match((await panel.page.textContent('header.problem')) ?? '', /Reference answer: 19/);
    } finally {
      await panel.close();
    }
  });
});

describe('τ in the panel', () => {
  test("each judge's τ is shown, and a PRM step below its own τ is that PRM's first error", async () => {
    // Run τ 0.5; the PRM's own τ 0.7. Sample 0's PRM scores step 1 at 0.6: wrong at 0.7, not at 0.5.
    const shaped = await makeRun(
      {
        samples: 2,
        steps: () => 3,
        answer: () => '19',
        verdicts: () => [-1, -1, -1, -1],
        prm: (sample, step) => (sample === 0 && step === 1 ? 0.6 : 0.95),
      },
      undefined,
      4,
      { threshold: 0.5, prm: { threshold: 0.7 } },
    );
    const panel = await openPanel(browser);
    try {
      await showRun(panel, shaped);
      await panel.page.click('.sample-row[data-index="0"]');
      await panel.page.waitForSelector('.steps-head h3:text-is("Sample 0")');
      assert.match(
        (await panel.page.textContent('.steps-head .legend')) ?? '',
        /τ: Self-PRM 0\.5 · qwen-prm 0\.7/,
      );
      assert.match(
        (await panel.page.textContent('.step[data-step="1"] .flags')) ?? '',
        /qwen-prm: first error/,
      );
      assert.ok((await panel.page.getAttribute('.step[data-step="1"]', 'class'))?.includes('disagree'));
      const ticks = await panel.page.$eval('.step[data-step="1"]', (row) => [
        (row.querySelector('.score.self .tick') as HTMLElement).style.left,
        (row.querySelector('.score.prm .tick') as HTMLElement).style.left,
      ]);
      assert.deepEqual(ticks, ['50%', '70%']);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

type Append = Extract<WebviewMessage, { type: 'audit/append' }>;

/** The panel's appends, by what they change: `rating`, `who`, `firstError`, `note`. */
async function appendsByLabel(panel: PanelPage): Promise<Record<string, Append>> {
  const appends = (await panel.posted()).filter((m): m is Append => m.type === 'audit/append');
  const name = {
    stepRating: 'rating',
    whoWasRight: 'who',
    firstError: 'firstError',
    note: 'note',
    clear: 'clear',
  };
  return Object.fromEntries(appends.map((m) => [name[m.event.type], m]));
}

/** Every unsaved mark in view, in page order: its tooltip and the words it shows or speaks. */
function unsavedMarks(panel: PanelPage): Promise<{ title: string; text: string }[]> {
  return panel.page.$$eval('.save-mark', (marks) =>
    marks
      .filter((mark) => (mark as HTMLElement).offsetParent !== null)
      .map((mark) => ({ title: (mark as HTMLElement).title, text: mark.textContent ?? '' })),
  );
}

async function untilMarks(panel: PanelPage, count: number): Promise<void> {
  await panel.page.waitForFunction(
    (n) =>
      [...document.querySelectorAll<HTMLElement>('.save-mark')].filter((m) => m.offsetParent).length === n,
    count,
  );
}

describe('saving labels: the panel says what the host has not saved', () => {
  test('each label is marked unsaved from the moment it is set until the host answers saved for it', async () => {
    const panel = await openPanel(browser, { width: 300, height: 1000 });
    try {
      await showRun(panel, run);
      const keys = panel.page.keyboard;
      await keys.press('1'); // step 1 of sample 2: wrong
      await keys.press('p'); // the PRM was right
      await keys.press('e'); // the human first error
      await keys.press('m');
      await panel.page.waitForSelector('.note-field');
      await keys.type('sign slip');
      await keys.press('Enter');
      await panel.page.waitForSelector('.step[data-step="1"] .step-note');
      // Applied at once, and marked: nothing has been answered yet.
      assert.ok(await panel.page.$('.step[data-step="1"] .chip.rating.r-1.active.unsaved'));
      assert.ok(await panel.page.$('.step[data-step="1"] .chip.who.active.unsaved'));
      const pending = 'not saved yet';
      // In page order: the verdict in the steps heading, then the row's flag, chips and note.
      assert.deepEqual(
        (await unsavedMarks(panel)).map(({ title, text }) => [title, text]),
        [
          'sample 2: first error at step 1',
          'sample 2: first error at step 1',
          'sample 2, step 1: rating −1',
          'sample 2, step 1: who was right (vs qwen-prm) prm',
          'sample 2, step 1: note',
        ].map((label) => [`${label}: ${pending}`, pending]),
      );
      const appends = await appendsByLabel(panel);
      const ids = Object.values(appends).map((m) => m.requestId);
      assert.equal(new Set(ids).size, 4, 'every append names its own request');

      // The host answers out of order: each answer clears its own label's mark and no other.
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: appends.who!.requestId });
      await untilMarks(panel, 4);
      assert.equal(await panel.page.$('.chip.who.unsaved'), null);
      assert.ok(await panel.page.$('.chip.rating.r-1.unsaved'), 'the rating is still unsaved');
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: appends.firstError!.requestId });
      await untilMarks(panel, 2);
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: appends.rating!.requestId });
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: appends.note!.requestId });
      await untilMarks(panel, 0);
      assert.equal(await panel.page.$$eval('.unsaved', (marked) => marked.length), 0);
      assert.ok(await panel.page.$('.step[data-step="1"] .chip.rating.r-1.active'), 'the label stays set');
      assert.equal(await panel.page.isVisible('.save-notice'), false);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('a label the host could not save stays marked, a notice names it and why, Retry saves it', async () => {
    const panel = await openPanel(browser, { width: 300, height: 1000 });
    try {
      await showRun(panel, run);
      const keys = panel.page.keyboard;
      await keys.press('1');
      await keys.press('p');
      const first = await appendsByLabel(panel);
      await panel.send({
        type: 'audit/failed',
        runId: run.id,
        requestId: first.rating!.requestId,
        message: 'ENOSPC: no space left on device',
      });
      // Later labels on the same step, saved, leave the failed one marked.
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: first.who!.requestId });
      await keys.press('e');
      const later = await appendsByLabel(panel);
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: later.firstError!.requestId });
      await untilMarks(panel, 1);
      assert.deepEqual(await unsavedMarks(panel), [
        {
          title: 'sample 2, step 1: rating −1: not saved (ENOSPC: no space left on device)',
          text: 'not saved',
        },
      ]);
      assert.ok(await panel.page.$('.step[data-step="1"] .chip.rating.r-1.active.save-failed'));
      const notice = panel.page.locator('.save-notice');
      assert.ok(await notice.isVisible());
      assert.equal(await notice.getAttribute('role'), 'alert');
      const said = (await notice.textContent()) ?? '';
      assert.match(said, /1 label not saved/);
      assert.match(said, /ENOSPC: no space left on device\s*sample 2, step 1: rating −1/);
      await panel.page.screenshot({ path: join(TEST_OUTPUT, 'panel-not-saved.png') });

      // Retry posts the label's change again, under a new request; it is pending until answered.
      await notice.locator('vscode-button', { hasText: 'Retry' }).click();
      await untilMarks(panel, 1);
      assert.equal(await notice.isVisible(), false);
      const retried = await appendsByLabel(panel);
      assert.notEqual(retried.rating!.requestId, first.rating!.requestId);
      assert.deepEqual(retried.rating!.event, first.rating!.event);
      assert.match((await unsavedMarks(panel))[0]!.title, /rating −1: not saved yet/);
      await panel.send({ type: 'audit/saved', runId: run.id, requestId: retried.rating!.requestId });
      await untilMarks(panel, 0);
      assert.equal(await panel.page.$('.save-failed'), null);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('unreadable audit lines', () => {
  test('the panel says which lines of the log could not be read, until dismissed', async () => {
    const panel = await openPanel(browser, { width: 300 });
    try {
      const skipped = {
        log: '/work/project/.steplens/audits/fixture.jsonl',
        count: 4,
        lines: [
          { line: 2, reason: 'not JSON (a write cut short?)' },
          { line: 5, reason: 'Invalid input' },
          { line: 9, reason: 'not JSON (a write cut short?)' },
        ],
      };
      await panel.send({ type: 'run/show', run, events: [], readOnly: false, skipped });
      const notice = panel.page.locator('.status .skipped-lines');
      await notice.waitFor();
      const said = (await notice.textContent()) ?? '';
      assert.match(
        said,
        /4 audit lines could not be read: line 2: not JSON \(a write cut short\?\); line 5: Invalid input; line 9: not JSON \(a write cut short\?\); and 1 more\./,
      );
      assert.match(said, /Log: \/work\/project\/\.steplens\/audits\/fixture\.jsonl/);
      await notice.locator('vscode-button', { hasText: 'Dismiss' }).click();
      await notice.waitFor({ state: 'detached' });
      // The same run shown again (another panel saved a label) does not bring it back.
      await panel.send({ type: 'run/show', run, events: [], readOnly: false, skipped });
      await panel.page.waitForFunction(
        () => document.querySelector('.steps-head h3')?.textContent === 'Sample 2',
      );
      assert.equal(await panel.page.$('.skipped-lines'), null);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('a log read whole shows no such notice', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      assert.equal(await panel.page.$('.skipped-lines'), null);
    } finally {
      await panel.close();
    }
  });
});

describe('untrusted text', () => {
  test('HTML, script and javascript: links in model output and problem files show as text and run nothing', async () => {
    const hostile = {
      img: '<img src=x onerror="window.__xss=1">',
      script: '<script>window.__xss=2</script>',
      link: '<a href="javascript:window.__xss=3">click</a>',
      katex: '$\\href{javascript:window.__xss=4}{x}$ and $\\htmlData{a=b}{x}$',
    };
    const evil = structuredClone(run);
    evil.problem.text = `Problem ${hostile.img} ${hostile.script}`;
    const sample = evil.samples.find((s) => s.index === 2)!;
    sample.steps[1] = `${hostile.img} ${hostile.script} ${hostile.link} ${hostile.katex}`;
    sample.answer = hostile.img;
    sample.reasoning = hostile.script;
    const panel = await openPanel(browser);
    try {
      await showRun(panel, evil);
      await panel.page.click('vscode-collapsible');
      // Everything that could run a payload has happened once the trace is open and the math typeset.
      await panel.page.waitForFunction(
        () => (document.querySelector('pre.reasoning')?.textContent ?? '').length > 0,
      );
      await settled(panel);
      const found = await panel.page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss,
        images: document.querySelectorAll('#app img').length,
        scripts: document.querySelectorAll('#app script').length,
        links: document.querySelectorAll('#app a').length,
        step: document.querySelector('.step[data-step="1"] .step-text')?.textContent ?? '',
        problem: document.querySelector('.problem-text')?.textContent ?? '',
      }));
      assert.equal(found.xss, undefined);
      assert.deepEqual([found.images, found.scripts, found.links], [0, 0, 0]);
      assert.ok(found.step.includes(hostile.img), 'the tag shows as text');
      assert.ok(found.step.includes(hostile.link));
      assert.ok(found.problem.includes(hostile.script));
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('steplens view --html', () => {
  test('writes one self-contained read-only page of the same panel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-view-'));
    const runPath = join(dir, '.steplens', 'runs', `${run.id}.json`);
    mkdirSync(join(dir, '.steplens', 'runs'), { recursive: true });
    mkdirSync(join(dir, '.steplens', 'audits'), { recursive: true });
    writeFileSync(runPath, JSON.stringify(run));
    writeFileSync(
      join(dir, '.steplens', 'audits', `${run.id}.jsonl`),
      `${JSON.stringify({ type: 'stepRating', schemaVersion: 1, at: '2026-11-28T10:00:00.000Z', sample: 2, step: 1, rating: -1 })}\n`,
    );
    const out = join(dir, 'run.html');
    const printed = execFileSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'view', runPath, '--html', out],
      { encoding: 'utf8' },
    );
    assert.deepEqual(JSON.parse(printed), {
      html: out,
      annotator: 'unnamed',
      annotators: ['unnamed'],
      events: 1,
      skipped: 0,
    });
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    try {
      await page.goto(`file://${out}`);
      await page.waitForSelector('.step[data-step="1"] .chip.rating.r-1.active');
      assert.match((await page.textContent('.status')) ?? '', /Read-only/);
      await page.keyboard.press('3');
      assert.equal(
        await page.$$eval('.chip.active', (chips) => chips.length),
        1,
        'keys change nothing in a read-only page',
      );
      assert.deepEqual(
        requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:')),
        [],
      );
    } finally {
      await context.close();
    }
  });

  test("the page says which audit lines could not be read, by the log's name, until dismissed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-view-'));
    mkdirSync(join(dir, '.steplens', 'runs'), { recursive: true });
    mkdirSync(join(dir, '.steplens', 'audits'), { recursive: true });
    const runPath = join(dir, '.steplens', 'runs', `${run.id}.json`);
    writeFileSync(runPath, JSON.stringify(run));
    const good = {
      type: 'stepRating',
      schemaVersion: 1,
      at: '2026-11-28T10:00:00.000Z',
      sample: 2,
      step: 1,
      rating: -1,
    };
    writeFileSync(
      join(dir, '.steplens', 'audits', `${run.id}.jsonl`),
      `${JSON.stringify(good)}\n{"type":"stepRating","sch\n${JSON.stringify({ ...good, rating: 7 })}\n`,
    );
    const out = join(dir, 'run.html');
    const printed = execFileSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'view', runPath, '--html', out],
      {
        encoding: 'utf8',
      },
    );
    assert.deepEqual(JSON.parse(printed), {
      html: out,
      annotator: 'unnamed',
      annotators: ['unnamed'],
      events: 1,
      skipped: 2,
    });
    const context = await browser.newContext({ offline: true, viewport: { width: 300, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`file://${out}`);
      await page.waitForSelector('.step[data-step="1"] .chip.rating.r-1.active');
      const notice = page.locator('.status .skipped-lines');
      const said = (await notice.textContent()) ?? '';
      assert.match(
        said,
        /2 audit lines could not be read: line 2: not JSON \(a write cut short\?\); line 3: /,
      );
      assert.match(said, new RegExp(`Log: ${run.id}\\.jsonl`), "the file name, not this machine's path");
      assert.doesNotMatch(said, new RegExp(dir));
      await page.screenshot({ path: join(TEST_OUTPUT, 'standalone-skipped-lines.png') });
      await notice.locator('vscode-button', { hasText: 'Dismiss' }).click();
      await notice.waitFor({ state: 'detached' });
      assert.match((await page.textContent('.status')) ?? '', /Read-only/);
    } finally {
      await context.close();
    }
  });
});

/** Resolves once fonts are loaded, math is typeset and two more frames have been laid out. */
async function settled(panel: PanelPage): Promise<void> {
  await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
  await panel.page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** Pairs of consecutive step rows whose edges do not meet (gap > 0, overlap < 0), in pixels. */
function rowMisfits(panel: PanelPage): Promise<{ rows: number; misfits: string[] }> {
  return panel.page.$$eval('.step-list .virtual-row', (elements) => {
    const rows = elements
      .map((row) => ({ index: Number((row as HTMLElement).dataset.index), box: row.getBoundingClientRect() }))
      .sort((a, b) => a.index - b.index);
    const misfits: string[] = [];
    for (let i = 1; i < rows.length; i++) {
      const gap = rows[i]!.box.top - rows[i - 1]!.box.bottom;
      if (rows[i]!.index !== rows[i - 1]!.index + 1) misfits.push(`row ${rows[i]!.index} missing before`);
      else if (Math.abs(gap) > 1)
        misfits.push(`rows ${rows[i - 1]!.index}→${rows[i]!.index}: ${gap.toFixed(0)} px`);
    }
    return { rows: rows.length, misfits };
  });
}

describe('f on a sample where the judges agree', () => {
  test('leaves the steps, the selection and the scroll as they are, and says why in the status line', async () => {
    const thirty = await makeRun(THIRTY_STEPS);
    const panel = await openPanel(browser, { height: 700 });
    const { page } = panel;
    try {
      await showRun(panel, thirty);
      // Sample 1: thirty steps and no disagreement. Read down to step 12, as a person would.
      await page.keyboard.press('Shift+J');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
      for (let i = 0; i < 12; i++) await page.keyboard.press('j');
      await page.waitForSelector('.step.selected[data-step="12"]');
      await page.waitForFunction(() => !document.querySelector('.math-pending'));
      const where = () =>
        page.evaluate(() => ({
          scrollY: Math.round(window.scrollY),
          selected: document.querySelector('.step.selected')?.getAttribute('data-step'),
          selectedTop: Math.round(
            document.querySelector('.step.selected')?.getBoundingClientRect().top ?? -1,
          ),
          steps: document.querySelectorAll('.step').length,
        }));
      // Typeset math changes rows' heights, and the list places and adds rows over the next frames:
      // the page is read once two reads a few frames apart agree.
      let before = await where();
      for (let tries = 0; tries < 20; tries++) {
        await page.waitForTimeout(100);
        const now = await where();
        if (JSON.stringify(now) === JSON.stringify(before)) break;
        before = now;
      }
      assert.ok(before.scrollY > 0, 'the page is scrolled down to step 12');

      await page.keyboard.press('f');
      // Two frames: the lists have drawn whatever f changed.
      await page.evaluate(
        () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
      );
      assert.deepEqual(await where(), before, 'f moved nothing');
      // Said in the polite status region, and in sight where the person is reading.
      const status = page.locator('.status[role="status"][aria-live="polite"]');
      assert.match((await status.textContent()) ?? '', /Sample 1 has no disagreements/);
      const note = await page.locator('.status .key-note').boundingBox();
      assert.ok(note && note.y >= 0 && note.y + note.height <= 700, 'the note is in sight');
      assert.equal(
        await page
          .locator('vscode-checkbox, input[type="checkbox"]')
          .first()
          .evaluate((el) => (el as HTMLInputElement).checked),
        false,
        'the filter stays off',
      );
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-f-no-disagreements.png') });

      // The next key clears the note; on a sample with disagreements f filters as before.
      await page.keyboard.press('Shift+K');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 0');
      assert.equal(await page.locator('.status .key-note').count(), 0);
      await page.keyboard.press('f');
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.step').length > 0 &&
          [...document.querySelectorAll('.step')].every((row) => row.classList.contains('disagree')),
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('another run shown', () => {
  test('starts at its top, and what was said of the last run goes', async () => {
    const thirty = await makeRun(THIRTY_STEPS);
    const other = await makeRun(EIGHT_SAMPLES);
    assert.notEqual(thirty.id, other.id);
    const panel = await openPanel(browser, { height: 700 });
    const { page } = panel;
    try {
      await showRun(panel, thirty);
      // Sample 1 has no disagreement: f is refused with a note; the page is scrolled down.
      await page.keyboard.press('Shift+J');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
      for (let i = 0; i < 12; i++) await page.keyboard.press('j');
      await page.keyboard.press('f');
      await page.locator('.status .key-note').waitFor();
      assert.ok((await page.evaluate(() => window.scrollY)) > 0);

      await panel.send({ type: 'run/show', run: other, events: [], readOnly: false });
      await page.waitForFunction(
        (id) => document.querySelector('.problem')?.textContent?.includes(id),
        other.problem.id,
        { polling: 100 },
      );
      assert.equal(await page.locator('.status .key-note').count(), 0, 'the note about the last run is gone');
      assert.equal(await page.evaluate(() => window.scrollY), 0, 'the run starts at its top');
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('step rows in the virtual list', () => {
  test('rows meet edge to edge once their math is typeset, at the top and after scrolling', async () => {
    const thirty = await makeRun(THIRTY_STEPS);
    const panel = await openPanel(browser, { width: 300, height: 1400 });
    try {
      await showRun(panel, thirty);
      await settled(panel);
      const top = await rowMisfits(panel);
      assert.ok(top.rows >= 5, `${top.rows} step rows rendered`);
      assert.deepEqual(top.misfits, [], 'each row starts where the one above it ends');
      await panel.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
      await panel.page.waitForSelector('.step[data-step="15"]');
      await settled(panel);
      assert.deepEqual((await rowMisfits(panel)).misfits, [], 'after scrolling to the middle');
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('at scale: 64 samples × 300 steps', () => {
  let large: Run;
  before(async () => {
    large = await makeRun(LARGE_RUN);
  });

  test('only what is visible is in the DOM, while scrolling to the end and switching samples', async () => {
    const panel = await openPanel(browser, { width: 560, height: 1000 });
    try {
      await showRun(panel, large);
      const counts = () =>
        panel.page.evaluate(() => ({
          steps: document.querySelectorAll('.step').length,
          samples: document.querySelectorAll('.sample-list .sample-row').length,
          sampleRowHeight: document.querySelector<HTMLElement>('.sample-list .sample-row')?.offsetHeight ?? 0,
          nodes: document.querySelectorAll('#app *').length,
        }));
      const first = await counts();
      assert.ok(first.steps > 0 && first.steps <= 40, `${first.steps} step rows for 300 steps`);
      // A screen of sample rows (1000 px) and the overscan on each side (6), not all 64.
      const screenOfRows = Math.ceil(1000 / first.sampleRowHeight) + 2 * 6 + 2;
      assert.ok(
        first.samples <= Math.min(screenOfRows, 60),
        `${first.samples} sample rows for 64 samples (rows of ${first.sampleRowHeight} px)`,
      );
      // Scroll to the very end: the last step is there, and the DOM stays as small.
      await panel.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await panel.page.waitForSelector('.step[data-step="299"]');
      const atEnd = await counts();
      assert.ok(atEnd.steps <= 40, `${atEnd.steps} step rows at the end`);
      assert.ok(atEnd.nodes < first.nodes * 2, `DOM grew from ${first.nodes} to ${atEnd.nodes} nodes`);
      // Switch samples from the keyboard: still bounded.
      for (let i = 0; i < 5; i++) await panel.page.keyboard.press('Shift+J');
      const switched = await counts();
      assert.ok(switched.steps <= 40, `${switched.steps} step rows after switching`);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('rows are observed for size changes while on screen and no longer once they leave', async () => {
    const panel = await openPanel(browser, { width: 560, height: 1000 });
    /** The observed row elements against the rows in the DOM. */
    const observation = () =>
      panel.page.evaluate(() => {
        const observed = (window as unknown as { __observedTargets(): Element[] }).__observedTargets();
        const rows = [...document.querySelectorAll('.virtual-row')];
        return {
          rows: rows.length,
          observedRows: observed.filter((target) => target.classList.contains('virtual-row')).length,
          detached: observed.filter((target) => !target.isConnected).length,
          unobserved: rows.filter((row) => !observed.includes(row)).length,
        };
      });
    const frames = () =>
      panel.page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      );
    try {
      await showRun(panel, large);
      const expectTracked = async (where: string) => {
        const seen = await observation();
        assert.equal(seen.unobserved, 0, `${where}: every row in the list is observed`);
        assert.equal(seen.detached, 0, `${where}: no row that left the list is still observed`);
        assert.equal(seen.observedRows, seen.rows, where);
        assert.ok(seen.rows <= 90, `${where}: ${seen.rows} rows`);
      };
      await expectTracked('first screen');
      for (let i = 1; i <= 12; i++) {
        await panel.page.evaluate((share) => window.scrollTo(0, document.body.scrollHeight * share), i / 12);
        await frames();
      }
      await panel.page.waitForSelector('.step[data-step="299"]');
      await expectTracked('scrolled to the end');
      for (let i = 0; i < 3; i++) await panel.page.keyboard.press('Shift+J');
      await frames();
      await expectTracked('after switching samples');
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('the panel opened from the Dataset Report', () => {
  test('goes to the focus run/show carries — sample, step — once per request, even for the run it shows', async () => {
    const panel = await openPanel(browser);
    try {
      await showRun(panel, run);
      assert.equal(await panel.page.textContent('.steps-head h3'), 'Sample 2');
      // Sample 6: Self-PRM finds an error at step 1, the PRM none.
      await panel.send({
        type: 'run/show',
        run,
        events: [],
        readOnly: false,
        focus: { id: 1, sample: 6, step: 1 },
      });
      // The panel redraws on the message: wait for sample 6, then its step 1 selected.
      await panel.page.waitForFunction(
        () => document.querySelector('.steps-head h3')?.textContent === 'Sample 6',
      );
      await panel.page.waitForSelector('.step[data-step="1"].selected');
      // The person moves on; the same request shown again (a label saved elsewhere) leaves them there.
      await panel.page.click('.sample-row[data-index="0"]');
      await panel.page.waitForFunction(
        () => document.querySelector('.steps-head h3')?.textContent === 'Sample 0',
      );
      await panel.send({
        type: 'run/show',
        run,
        events: [],
        readOnly: false,
        focus: { id: 1, sample: 6, step: 1 },
      });
      await panel.page.waitForTimeout(100);
      assert.equal(await panel.page.textContent('.steps-head h3'), 'Sample 0');
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});
