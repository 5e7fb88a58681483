/**
 * The panel's state (webview/state.ts) in plain Node: what a host message or a person's action
 * changes, what it posts to the host, and what it asks to redraw. The drawing itself is checked in
 * Chromium (test/webview).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent, Run } from '../../src/core/schemas.js';
import type { HostMessage, WebviewMessage } from '../../src/protocol.js';
import { KEYMAP } from '../../webview/keys.js';
import { goldFirstError, goldSample } from '../../webview/model.js';
import { type Effects, PanelState } from '../../webview/state.js';
import { smallRun } from '../fixtures/smallRun.js';

/** smallRun: sample 1 is where the judges first disagree (self: no error; PRM: step 0). */
function shown(run: Run = smallRun(), readOnly = false): PanelState {
  const state = new PanelState('page');
  state.receive({ type: 'run/show', run, events: [], readOnly });
  return state;
}

type Append = Extract<WebviewMessage, { type: 'audit/append' }>;

/** What the effects post, as the label changes a reader of the audit log would see. */
function changes(effects: Effects): Omit<AuditEvent, 'at' | 'schemaVersion'>[] {
  return effects.post
    .filter((m): m is Append => m.type === 'audit/append')
    .map(({ event: { at: _at, schemaVersion: _v, ...rest } }) => rest);
}

/** Keys as the person presses them (through the one key map), all effects' posts together. */
function press(state: PanelState, ...keys: string[]): Omit<AuditEvent, 'at' | 'schemaVersion'>[] {
  return keys.flatMap((key) => changes(state.apply(KEYMAP[key]!)));
}

describe('showing a run', () => {
  test('opens on the first step where the judges disagree, comparing with the first PRM', () => {
    const state = shown();
    assert.deepEqual(state.view, { sample: 1, step: 0, onlyDisagreements: false, prm: 'qwen-prm' });
    assert.deepEqual(state.visibleSteps, [0, 1]);
  });

  test('a view saved by an earlier page is kept for the same run, but a PRM the run lacks is not', () => {
    const state = new PanelState('page', { sample: 2, step: 1, onlyDisagreements: true, prm: 'gone-prm' });
    state.receive({ type: 'run/show', run: smallRun(), events: [], readOnly: false });
    assert.equal(state.view.prm, 'qwen-prm');
    assert.equal(state.view.onlyDisagreements, true);
  });

  test('labels come from the events; the filter shows only the disagreeing steps', () => {
    const state = new PanelState('page');
    const at = '2026-11-28T10:00:00.000Z';
    state.receive({
      type: 'run/show',
      run: smallRun(),
      events: [{ type: 'stepRating', schemaVersion: 1, at, sample: 0, step: 1, rating: 1 }],
      readOnly: false,
    });
    assert.equal(state.labels[0]?.steps[1]?.rating, 1);
    state.apply(KEYMAP.f!);
    assert.deepEqual(state.visibleSteps, [0, 1], 'both steps of sample 1 disagree');
    state.apply({ kind: 'selectSample', sample: 0 });
    assert.deepEqual(state.visibleSteps, [], 'the judges agree on every step of sample 0');
  });
});

describe('a live run', () => {
  function skeleton(): Run {
    return { ...smallRun(), samples: [], rerank: [], status: 'running' };
  }

  test('samples and judgements fill it in as they arrive, in index order', () => {
    const full = smallRun();
    const state = shown(skeleton());
    assert.equal(state.currentSample(), undefined);
    const { judgements, ...second } = full.samples[2]!;
    let effects = state.receive({
      type: 'run/sample',
      runId: 'run-a',
      sample: { ...second, judgements: {} },
    });
    assert.equal(state.view.sample, 2, 'the only sample is shown');
    assert.ok(effects.parts.has('steps') && effects.parts.has('samples') && effects.parts.has('answers'));
    state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[0]! });
    assert.deepEqual(
      state.run!.samples.map((s) => s.index),
      [0, 2],
    );
    effects = state.receive({
      type: 'run/judgement',
      runId: 'run-a',
      sample: 2,
      judge: 'self',
      judgement: judgements.self!,
    });
    assert.ok(effects.parts.has('steps'), 'the shown sample got a judgement: its steps are redrawn');
    assert.deepEqual(state.currentSample()!.judgements.self, judgements.self);
    state.receive({
      type: 'run/progress',
      runId: 'run-a',
      status: 'running',
      progress: { sampled: 2, sampleTotal: 3, judged: 1, judgeTotal: 6 },
    });
    assert.deepEqual(state.progress, { sampled: 2, sampleTotal: 3, judged: 1, judgeTotal: 6 });
    state.receive({ type: 'run/finished', runId: 'run-a', status: 'complete', rerank: [] });
    assert.equal(state.run!.status, 'complete');
    assert.equal(state.progress, null);
  });

  test('deltas of another run, or a judgement of a sample not there, change nothing and redraw nothing', () => {
    const state = shown(skeleton());
    const before = state.run;
    const messages: HostMessage[] = [
      { type: 'run/sample', runId: 'run-b', sample: smallRun().samples[0]! },
      {
        type: 'run/judgement',
        runId: 'run-a',
        sample: 5,
        judge: 'self',
        judgement: { stepScores: [], firstError: -1 },
      },
    ];
    for (const message of messages) {
      const effects = state.receive(message);
      assert.equal(effects.parts.size + effects.post.length, 0, message.type);
    }
    assert.equal(state.run, before);
  });
});

describe('labelling from the keyboard', () => {
  test('each key posts one label change at once; the same rating again clears it; undo posts the inverse', () => {
    const state = shown();
    assert.deepEqual(press(state, '1', 'p', 'e', '1', 'u', 'u'), [
      { type: 'stepRating', sample: 1, step: 0, rating: -1 },
      { type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' },
      { type: 'firstError', sample: 1, step: 0 },
      { type: 'stepRating', sample: 1, step: 0, rating: null },
      { type: 'stepRating', sample: 1, step: 0, rating: -1 },
      { type: 'firstError', sample: 1, step: null },
    ]);
    assert.equal(state.labels[1]?.steps[0]?.rating, -1);
    assert.equal(state.labels[1]?.firstError, undefined);
  });

  test('navigation moves within the shown steps and across samples', () => {
    const state = shown();
    press(state, 'j');
    assert.equal(state.view.step, 1);
    press(state, 'j');
    assert.equal(state.view.step, 1, 'the last step stays selected');
    press(state, 'J');
    assert.deepEqual([state.view.sample, state.view.step], [2, 0]);
    press(state, 'K', 'K');
    assert.equal(state.view.sample, 0);
    press(state, 'n');
    assert.deepEqual([state.view.sample, state.view.step], [1, 0], 'n goes to the next disagreement');
  });

  test('a read-only run takes no label', () => {
    const state = shown(smallRun(), true);
    assert.deepEqual(press(state, '1', 's', 'e', '0', 'm', 'u'), []);
    assert.equal(state.note, null);
  });
});

describe('a note', () => {
  test('while the note is open, keys are its text: no key but Escape acts; Enter (noteSave) posts it', () => {
    const state = shown();
    press(state, 'm');
    assert.deepEqual(state.note, { sample: 1, step: 0, text: '' });
    // What a person typing "PRM right here, = 1+1 test" would fire as shortcuts if keys leaked.
    assert.deepEqual(press(state, 'p', 'e', '1', '0', 's', 'j', 'J', 'n', 'f', 'u', '3', '2', 'x', 'b'), []);
    assert.deepEqual([state.view.sample, state.view.step, state.view.onlyDisagreements], [1, 0, false]);
    assert.deepEqual(state.labels, {});
    state.apply({ kind: 'noteInput', text: '  PRM right here, = 1+1 test ' });
    const effects = state.apply({ kind: 'noteSave' });
    assert.deepEqual(changes(effects), [
      { type: 'note', sample: 1, step: 0, text: 'PRM right here, = 1+1 test' },
    ]);
    assert.equal(state.note, null);
    assert.ok(effects.stepRows.has(0), 'the row is redrawn without the field, with the note');
  });

  test('Escape cancels: nothing posted, the field closed, and the keys are shortcuts again', () => {
    const state = shown();
    press(state, 'm');
    state.apply({ kind: 'noteInput', text: 'half a thought' });
    assert.deepEqual(press(state, 'Escape'), []);
    assert.equal(state.note, null);
    assert.deepEqual(press(state, '3'), [{ type: 'stepRating', sample: 1, step: 0, rating: 1 }]);
  });

  test('a click that selects another step leaves the note unsaved; saving an unchanged note posts nothing', () => {
    const state = shown();
    press(state, 'm');
    state.apply({ kind: 'noteInput', text: 'lost' });
    state.apply({ kind: 'selectStep', step: 1 });
    assert.equal(state.note, null);
    press(state, 'm');
    assert.deepEqual(changes(state.apply({ kind: 'noteSave' })), []);
  });

  test('clicking into the open field (selecting its own step again) keeps it and its text', () => {
    const state = shown();
    press(state, 'm');
    state.apply({ kind: 'noteInput', text: 'kept' });
    state.apply({ kind: 'selectStep', step: 0, scroll: false });
    assert.deepEqual(state.note, { sample: 1, step: 0, text: 'kept' });
  });
});

describe('saving', () => {
  function requestIds(effects: Effects): (string | number)[] {
    return effects.post.filter((m): m is Append => m.type === 'audit/append').map((m) => m.requestId);
  }

  test('a label is unsaved until the host answers saved; a failure is kept, with its reason, and Retry posts it again', () => {
    const state = shown();
    const [rating] = requestIds(state.apply(KEYMAP['1']!));
    const [who] = requestIds(state.apply(KEYMAP.p!));
    assert.equal(state.saves.state('rating:1:0')?.status, 'pending');
    let effects = state.receive({ type: 'audit/saved', runId: 'run-a', requestId: rating! });
    assert.equal(state.saves.state('rating:1:0'), undefined);
    assert.ok(effects.marks.has('rating:1:0'));
    effects = state.receive({ type: 'audit/failed', runId: 'run-a', requestId: who!, message: 'disk full' });
    assert.deepEqual(
      state.saves.failures().map((label) => [label.key, label.message]),
      [['who:1:0:qwen-prm', 'disk full']],
    );
    assert.ok(effects.parts.has('saveNotice'));
    effects = state.apply({ kind: 'retrySaves' });
    assert.deepEqual(changes(effects), [
      { type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' },
    ]);
    assert.equal(state.saves.failures().length, 0, 'pending again');
  });

  test('the same run shown again (another panel saved a label) keeps the labels set here and not yet saved', () => {
    const state = shown();
    press(state, '3');
    state.receive({ type: 'run/show', run: smallRun(), events: [], readOnly: false });
    assert.equal(state.labels[1]?.steps[0]?.rating, 1);
    state.receive({ type: 'run/show', run: { ...smallRun(), id: 'run-b' }, events: [], readOnly: false });
    assert.deepEqual(state.labels, {}, 'another run: nothing carried over');
  });
});

describe("the dataset's own labels (gold)", () => {
  function scoredRow(): Run {
    const run = smallRun();
    const own = run.samples[2]!;
    run.problem = {
      ...run.problem,
      format: 'processbench',
      steps: [...own.steps],
      humanFirstError: 1,
      finalAnswerCorrect: false,
    };
    run.samples = [{ ...own, index: 0 }];
    return run;
  }

  test("a run that scores a row's own steps has the row's first error on that sample", () => {
    const run = scoredRow();
    assert.equal(goldSample(run), 0);
    assert.equal(goldFirstError(run, run.samples[0]!), 1);
    assert.equal(shown(run).gold, 0);
  });

  test("sampled solutions are not the dataset's: no gold marker on them", () => {
    const run = smallRun();
    run.problem = { ...run.problem, steps: ['a different solution'], humanFirstError: 0 };
    assert.equal(goldSample(run), undefined);
    const labelless = scoredRow();
    delete labelless.problem.humanFirstError;
    assert.equal(goldSample(labelless), undefined);
  });
});

describe('labels saved elsewhere (run/labels)', () => {
  test('replace the labels shown, keep what is unsaved here, the view and the undo history', () => {
    const state = shown();
    const where = { ...state.view };
    // A rating here (sample 1, step 0), not answered by the host yet.
    assert.deepEqual(press(state, '1'), [{ type: 'stepRating', sample: 1, step: 0, rating: -1 }]);
    const elsewhere: AuditEvent = {
      type: 'stepRating',
      schemaVersion: 1,
      at: '2026-11-28T10:00:00.000Z',
      sample: 2,
      step: 1,
      rating: 1,
    };
    const effects = state.receive({ type: 'run/labels', runId: smallRun().id, events: [elsewhere] });
    assert.equal(state.labels[2]?.steps[1]?.rating, 1, 'the label saved elsewhere is shown');
    assert.equal(state.labels[1]?.steps[0]?.rating, -1, 'the unsaved one stays');
    assert.ok(effects.parts.has('steps') && effects.parts.has('samples'));
    assert.deepEqual({ ...state.view, step: where.step }, where, 'the view stays');
    assert.deepEqual(
      press(state, 'u'),
      [{ type: 'stepRating', sample: 1, step: 0, rating: null }],
      'undo still works',
    );
    // Another run's labels change nothing here.
    state.receive({ type: 'run/labels', runId: 'another-run', events: [] });
    assert.equal(state.labels[2]?.steps[1]?.rating, 1);
  });
});
