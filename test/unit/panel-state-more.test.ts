/**
 * The panel's state (webview/state.ts) after sequences of keys, clicks and host messages: what it
 * shows (the view, the visible steps, the note, the help) and exactly what it posts and redraws.
 * smallRun: sample 1 is the only one where the judges disagree (both steps); 0 and 2 agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent, Run } from '../../src/core/schemas.js';
import type { HostMessage, WebviewMessage } from '../../src/protocol.js';
import { KEYMAP } from '../../webview/keys.js';
import { type Effects, type PanelAction, PanelState } from '../../webview/state.js';
import { smallRun } from '../fixtures/smallRun.js';

type Append = Extract<WebviewMessage, { type: 'audit/append' }>;
type Change = Omit<AuditEvent, 'at' | 'schemaVersion'>;

function shown(run: Run = smallRun(), readOnly = false): PanelState {
  const state = new PanelState('page');
  state.receive({ type: 'run/show', run, events: [], readOnly });
  return state;
}

function changes(effects: Effects): Change[] {
  return effects.post
    .filter((m): m is Append => m.type === 'audit/append')
    .map(({ event: { at: _at, schemaVersion: _v, ...rest } }) => rest);
}

const sorted = <T>(set: Set<T>): T[] => [...set].sort();

/** The effects as a whole value: the label changes posted and everything asked of the page. */
function fx(effects: Effects) {
  return {
    post: changes(effects),
    parts: sorted(effects.parts),
    sampleRows: sorted(effects.sampleRows),
    stepRows: sorted(effects.stepRows),
    marks: sorted(effects.marks),
    scrollSample: effects.scrollSample,
    scrollStep: effects.scrollStep,
    saveView: effects.saveView,
    fullRender: effects.fullRender,
    refused: effects.refused,
  };
}

type Fx = ReturnType<typeof fx>;
const none: Fx = {
  post: [],
  parts: [],
  sampleRows: [],
  stepRows: [],
  marks: [],
  scrollSample: false,
  scrollStep: false,
  saveView: false,
  fullRender: false,
  refused: undefined,
};
const expectFx = (partial: Partial<Fx>): Fx => ({ ...none, ...partial });

function key(state: PanelState, name: string): Fx {
  return fx(state.apply(KEYMAP[name]!));
}
function act(state: PanelState, action: PanelAction): Fx {
  return fx(state.apply(action));
}
/** Keys in a row: only the posts, together. */
function press(state: PanelState, ...names: string[]): Change[] {
  return names.flatMap((name) => key(state, name).post);
}
const where = (state: PanelState) => [state.view.sample, state.view.step];

/** smallRun with a second PRM that disagrees with Self-PRM on sample 0 too. */
function twoPrms(): Run {
  const run = smallRun();
  run.judges.push({ id: 'other-prm', kind: 'vllm-pooling', model: 'other' });
  run.config.prms.push({ ...run.config.prms[0]!, id: 'other-prm' });
  for (const sample of run.samples)
    sample.judgements['other-prm'] = { stepScores: [0.1, 0.1], firstError: 0 };
  return run;
}

describe('a fresh panel, before any run', () => {
  test('shows nothing, takes no key, and ignores every delta', () => {
    const state = new PanelState('page');
    assert.deepEqual(
      {
        run: state.run,
        readOnly: state.readOnly,
        canLabel: state.canLabel(),
        summaries: state.summaries,
        visibleSteps: state.visibleSteps,
        skippedDismissed: state.skippedDismissed,
        helpOpen: state.helpOpen,
        showSkipped: state.showSkipped(),
        current: state.currentSample(),
      },
      {
        run: null,
        readOnly: true,
        canLabel: false,
        summaries: [],
        visibleSteps: [],
        skippedDismissed: '',
        helpOpen: false,
        showSkipped: false,
        current: undefined,
      },
    );
    for (const name of ['?', 'j', 'J', 'u', '1']) assert.deepEqual(key(state, name), none, name);
    assert.equal(state.helpOpen, false);
    const full = smallRun();
    const messages: HostMessage[] = [
      { type: 'run/sample', runId: 'run-a', sample: full.samples[0]! },
      {
        type: 'run/judgement',
        runId: 'run-a',
        sample: 0,
        judge: 'self',
        judgement: full.samples[0]!.judgements.self!,
      },
      {
        type: 'run/progress',
        runId: 'run-a',
        status: 'running',
        progress: { sampled: 1, sampleTotal: 3, judged: 0, judgeTotal: 6 },
      },
      { type: 'run/finished', runId: 'run-a', status: 'complete', rerank: [] },
      { type: 'audit/saved', runId: 'run-a', requestId: 'page-1' },
      { type: 'audit/failed', runId: 'run-a', requestId: 'page-1', message: 'x' },
    ];
    for (const message of messages) assert.deepEqual(fx(state.receive(message)), none, message.type);
    assert.equal(state.run, null);
  });

  test('a run shown lets a person label unless it is read-only; "no run" empties the panel', () => {
    assert.equal(shown().canLabel(), true);
    assert.equal(shown(smallRun(), true).canLabel(), false);
    const state = shown();
    press(state, 'm');
    assert.deepEqual(
      fx(state.receive({ type: 'view/empty', message: 'No run yet.' })),
      expectFx({ parts: ['empty'] }),
    );
    assert.deepEqual(
      [state.run, state.note, state.emptyMessage, state.canLabel()],
      [null, null, 'No run yet.', false],
    );
  });
});

describe('showing a run', () => {
  test('samples are put in index order; a full render is asked and the view remembered', () => {
    const run = smallRun();
    run.samples.reverse();
    const state = new PanelState('page');
    const effects = fx(state.receive({ type: 'run/show', run, events: [], readOnly: false }));
    assert.deepEqual(effects, expectFx({ saveView: true, fullRender: true }));
    assert.deepEqual(
      state.run!.samples.map((s) => s.index),
      [0, 1, 2],
    );
  });

  test('a run with no PRM has no PRM in its view', () => {
    const run = smallRun();
    run.judges = run.judges.filter((judge) => judge.id === 'self');
    const state = shown(run);
    assert.deepEqual(state.view, { sample: 0, step: 0, onlyDisagreements: false });
    assert.deepEqual(press(state, 's', 'p'), [], 'who was right needs a PRM to compare with');
  });

  test('opens on the first disagreeing step, which need not be step 0', () => {
    const run = smallRun();
    // Sample 2: both judges fine on step 0; Self-PRM says step 1 is wrong, the PRM does not.
    run.samples[2]!.judgements = {
      self: { stepScores: [1, 0.1], firstError: 1 },
      'qwen-prm': { stepScores: [0.9, 0.9], firstError: -1 },
    };
    run.samples[1]!.judgements['qwen-prm'] = { stepScores: [0.9, 0.9], firstError: -1 };
    assert.deepEqual(shown(run).view, { sample: 2, step: 1, onlyDisagreements: false, prm: 'qwen-prm' });
  });

  test('the same run shown again keeps the view, the PRM chosen and the note being written', () => {
    const state = shown(twoPrms());
    act(state, { kind: 'setPrm', prm: 'other-prm' });
    act(state, { kind: 'selectSample', sample: 2 });
    press(state, 'j', 'm');
    act(state, { kind: 'noteInput', text: 'half' });
    state.receive({ type: 'run/show', run: twoPrms(), events: [], readOnly: false });
    assert.deepEqual(state.view, { sample: 2, step: 1, onlyDisagreements: false, prm: 'other-prm' });
    assert.deepEqual(state.note, { sample: 2, step: 1, text: 'half' });
    state.receive({ type: 'run/show', run: { ...twoPrms(), id: 'run-b' }, events: [], readOnly: false });
    assert.equal(state.note, null, 'another run: the note is dropped');
  });

  test('the same run shown without the sample in view falls back to its first sample', () => {
    const state = shown();
    act(state, { kind: 'selectSample', sample: 0 });
    const run = smallRun();
    run.samples = run.samples.filter((s) => s.index !== 0);
    state.receive({ type: 'run/show', run, events: [], readOnly: false });
    assert.equal(state.view.sample, 1);
  });

  test('an undo left over from before the run was shown again does nothing', () => {
    const state = shown();
    press(state, '3');
    state.receive({ type: 'run/show', run: smallRun(), events: [], readOnly: false });
    assert.deepEqual(key(state, 'u'), none);
    assert.deepEqual(key(shown(), 'u'), none, 'nothing to undo on a fresh run');
  });

  test('a run with no samples yet shows no steps, and sample keys do nothing', () => {
    const state = shown({ ...smallRun(), samples: [], status: 'running' });
    assert.deepEqual(state.visibleSteps, []);
    for (const name of ['J', 'K', 'j', 'k', 'n']) assert.deepEqual(key(state, name), none, name);
  });
});

describe('live deltas', () => {
  function live(): PanelState {
    return shown({ ...smallRun(), samples: [], status: 'running' });
  }

  test('a sample arriving: the first is shown; a later one leaves the shown one and its steps alone', () => {
    const full = smallRun();
    const state = live();
    assert.deepEqual(
      fx(state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[2]! })),
      expectFx({ parts: ['answers', 'browse', 'samples', 'samplesHead', 'steps'] }),
    );
    assert.deepEqual([state.view.sample, state.visibleSteps], [2, [0, 1]]);
    assert.deepEqual(
      fx(state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[0]! })),
      expectFx({ parts: ['answers', 'browse', 'samples', 'samplesHead'] }),
    );
    assert.equal(state.view.sample, 2);
    // The shown sample sent again (replaced): its steps are redrawn.
    assert.deepEqual(
      fx(state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[2]! })),
      expectFx({ parts: ['answers', 'browse', 'samples', 'samplesHead', 'steps'] }),
    );
  });

  test('a judgement of another sample than the shown one redraws the lists, not the steps', () => {
    const full = smallRun();
    const state = shown();
    const effects = state.receive({
      type: 'run/judgement',
      runId: 'run-a',
      sample: 2,
      judge: 'self',
      judgement: full.samples[1]!.judgements.self!,
    });
    assert.deepEqual(fx(effects), expectFx({ parts: ['answers', 'browse', 'samples', 'samplesHead'] }));
    assert.deepEqual(
      state.summaries.map((s) => s.disagreement.count),
      [0, 2, 2],
    );
  });

  test('progress redraws the header; finished drops the progress and redraws header and answers', () => {
    const state = live();
    const progress = { sampled: 1, sampleTotal: 3, judged: 0, judgeTotal: 6 };
    assert.deepEqual(
      fx(state.receive({ type: 'run/progress', runId: 'run-a', status: 'running', progress })),
      expectFx({ parts: ['header'] }),
    );
    assert.deepEqual(state.progress, progress);
    const rerank = [{ method: 'majority' as const, sample: 0, answer: '42', correct: true, rule: 'r' }];
    assert.deepEqual(
      fx(state.receive({ type: 'run/finished', runId: 'run-a', status: 'complete', rerank })),
      expectFx({ parts: ['answers', 'header'] }),
    );
    assert.deepEqual([state.progress, state.run!.status, state.run!.rerank], [null, 'complete', rerank]);
  });

  test("another run's progress, finish and save answers change nothing", () => {
    const state = live();
    press(state); // nothing
    const messages: HostMessage[] = [
      {
        type: 'run/progress',
        runId: 'run-b',
        status: 'running',
        progress: { sampled: 1, sampleTotal: 3, judged: 0, judgeTotal: 6 },
      },
      { type: 'run/finished', runId: 'run-b', status: 'complete', rerank: [] },
    ];
    for (const message of messages) assert.deepEqual(fx(state.receive(message)), none, message.type);
    assert.deepEqual([state.progress, state.run!.status], [null, 'running']);
    const labelled = shown();
    const [append] = labelled.apply(KEYMAP['3']!).post as Append[];
    for (const message of [
      { type: 'audit/saved', runId: 'run-b', requestId: append!.requestId },
      { type: 'audit/failed', runId: 'run-b', requestId: append!.requestId, message: 'x' },
    ] as HostMessage[])
      assert.deepEqual(fx(labelled.receive(message)), none, message.type);
    assert.equal(labelled.saves.state('rating:1:0')?.status, 'pending');
  });
});

describe('navigation', () => {
  test('j / k / arrows move one step and stop at the ends, still selecting the end step', () => {
    const state = shown();
    assert.deepEqual(key(state, 'k'), expectFx({ stepRows: [0], scrollStep: true, saveView: true }));
    assert.deepEqual(where(state), [1, 0]);
    assert.deepEqual(
      key(state, 'ArrowDown'),
      expectFx({ stepRows: [0, 1], scrollStep: true, saveView: true }),
    );
    assert.deepEqual(key(state, 'j'), expectFx({ stepRows: [1], scrollStep: true, saveView: true }));
    assert.deepEqual(where(state), [1, 1]);
    key(state, 'ArrowUp');
    assert.deepEqual(where(state), [1, 0]);
  });

  test('J / K move one sample, to its first step, and stop at the ends', () => {
    const state = shown();
    press(state, 'j');
    assert.deepEqual(
      key(state, 'J'),
      expectFx({ parts: ['steps'], sampleRows: [1, 2], scrollSample: true, saveView: true }),
    );
    assert.deepEqual(where(state), [2, 0]);
    assert.deepEqual(key(state, 'J'), none, 'the last sample');
    press(state, 'K', 'K');
    assert.deepEqual(key(state, 'K'), none, 'the first sample');
    assert.deepEqual(where(state), [0, 0]);
  });

  test('clicking the shown sample again keeps the step and the note', () => {
    const state = shown();
    press(state, 'j', 'm');
    assert.deepEqual(act(state, { kind: 'selectSample', sample: 1 }), none);
    assert.deepEqual([where(state), state.note], [[1, 1], { sample: 1, step: 1, text: '' }]);
  });

  test('a click on a step scrolls to it unless told not to', () => {
    const state = shown();
    assert.deepEqual(
      act(state, { kind: 'selectStep', step: 1 }),
      expectFx({ stepRows: [0, 1], scrollStep: true, saveView: true }),
    );
    assert.deepEqual(
      act(state, { kind: 'selectStep', step: 0, scroll: false }),
      expectFx({ stepRows: [0, 1], saveView: true }),
    );
  });

  test('n goes to the next disagreeing step in the same sample, then on; at the last one it stays', () => {
    const state = shown();
    assert.deepEqual(key(state, 'n'), expectFx({ stepRows: [0, 1], scrollStep: true, saveView: true }));
    assert.deepEqual(where(state), [1, 1]);
    assert.deepEqual(key(state, 'n'), none, 'no disagreement after the last one');
    assert.deepEqual(where(state), [1, 1]);
    act(state, { kind: 'selectSample', sample: 2 });
    assert.deepEqual(
      key(state, 'n'),
      expectFx({
        parts: ['steps'],
        sampleRows: [1, 2],
        stepRows: [0],
        scrollSample: true,
        scrollStep: true,
        saveView: true,
      }),
    );
    assert.deepEqual(where(state), [1, 0], 'wraps round to sample 1');
  });

  test('only disagreements: the list narrows, the step moves onto a shown one, f again widens it', () => {
    const state = shown();
    press(state, 'j');
    assert.deepEqual(key(state, 'f'), expectFx({ parts: ['steps'], saveView: true }));
    assert.deepEqual(
      [state.visibleSteps, where(state)],
      [
        [0, 1],
        [1, 1],
      ],
      'both steps of sample 1 disagree',
    );
    act(state, { kind: 'selectSample', sample: 0 });
    assert.deepEqual([state.visibleSteps, where(state)], [[], [0, 0]]);
    assert.deepEqual(key(state, 'j'), none, 'no step to go to');
    // Every step is hidden: a label key would land on a step nobody sees (a trial's 1 rated step 0).
    const hidden = 'Step 0 of sample 0 is hidden by Only disagreements: show all steps (f) to label it.';
    assert.deepEqual(key(state, 'm'), expectFx({ refused: hidden }), 'no step to write a note on');
    assert.equal(state.note, null);
    for (const label of ['1', '3', 'e', 's'])
      assert.deepEqual(key(state, label), expectFx({ refused: hidden }), `${label} labels no hidden step`);
    assert.equal(state.labels[0], undefined, 'nothing was labelled');
    act(state, { kind: 'setFilter', only: false });
    assert.deepEqual([state.visibleSteps, state.view.onlyDisagreements], [[0, 1], false]);
    press(state, 'j');
    // The checkbox on a sample where the judges agree is refused as f is: the steps stay, the
    // person stays on step 1, the checkbox is redrawn off and the note says why.
    const refused =
      'Sample 0 has no disagreements: Only disagreements (f) would hide all its steps, so they stay shown.';
    assert.deepEqual(
      act(state, { kind: 'setFilter', only: true }),
      expectFx({ parts: ['stepsHead'], refused }),
    );
    assert.deepEqual(key(state, 'f'), expectFx({ refused }));
    assert.deepEqual(
      [state.visibleSteps, where(state), state.view.onlyDisagreements],
      [[0, 1], [0, 1], false],
    );
    // On a sample with disagreements the checkbox filters as f does.
    act(state, { kind: 'selectSample', sample: 1 });
    assert.deepEqual(
      act(state, { kind: 'setFilter', only: true }),
      expectFx({ parts: ['steps', 'stepsHead'], saveView: true }),
    );
    assert.equal(state.view.onlyDisagreements, true);
  });

  test('choosing a PRM recomputes the disagreements; the same one, or one the run lacks, does nothing', () => {
    const state = shown(twoPrms());
    assert.deepEqual(act(state, { kind: 'setPrm', prm: 'qwen-prm' }), none);
    assert.deepEqual(act(state, { kind: 'setPrm', prm: 'gone' }), none);
    assert.equal(state.view.prm, 'qwen-prm');
    assert.deepEqual(
      act(state, { kind: 'setPrm', prm: 'other-prm' }),
      expectFx({ saveView: true, fullRender: true }),
    );
    assert.deepEqual(
      [state.view.prm, state.summaries.map((s) => s.disagreement.count)],
      ['other-prm', [2, 2, 0]],
    );
  });
});

describe('labelling', () => {
  test('a label survives undo of a later one and a label for another judge', () => {
    const state = shown(twoPrms());
    press(state, '3', 'p');
    act(state, { kind: 'setPrm', prm: 'other-prm' });
    assert.deepEqual(press(state, 's', 'u'), [
      { type: 'whoWasRight', sample: 1, step: 0, judge: 'other-prm', who: 'self' },
      { type: 'whoWasRight', sample: 1, step: 0, judge: 'other-prm', who: null },
    ]);
    assert.deepEqual(state.labels[1]?.steps[0], { rating: 1, who: { 'qwen-prm': 'prm' } });
  });

  test('who was right as the first label of a sample; the same key again clears it', () => {
    // A label saves the view too: what u undoes outlives a reload of the page.
    const state = shown();
    assert.deepEqual(key(state, 'p'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0],
        marks: ['who:1:0:qwen-prm'],
        parts: ['saveNotice'],
        saveView: true,
      }),
      post: [{ type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' }],
    });
    press(state, '3', 'j');
    assert.deepEqual(press(state, 'b', 'b'), [
      { type: 'whoWasRight', sample: 1, step: 1, judge: 'qwen-prm', who: 'both' },
      { type: 'whoWasRight', sample: 1, step: 1, judge: 'qwen-prm', who: null },
    ]);
  });

  test('clearing one step keeps the sample’s other labels', () => {
    const state = shown();
    press(state, '3', 'e', 'j');
    assert.deepEqual(press(state, '1', '1'), [
      { type: 'stepRating', sample: 1, step: 1, rating: -1 },
      { type: 'stepRating', sample: 1, step: 1, rating: null },
    ]);
    assert.deepEqual(state.labels[1]?.steps[0]?.rating, 1);
    assert.equal(state.labels[1]?.firstError, 0);
    assert.equal(state.labels[1]?.steps[1]?.rating, undefined);
  });

  test('the first error moved, then undone, comes back to the previous step; both rows are redrawn', () => {
    const state = shown();
    assert.deepEqual(key(state, 'e'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0],
        marks: ['firstError:1'],
        parts: ['saveNotice', 'stepsHead'],
        saveView: true,
      }),
      post: [{ type: 'firstError', sample: 1, step: 0 }],
    });
    press(state, 'j');
    assert.deepEqual(key(state, 'e'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0, 1],
        marks: ['firstError:1'],
        parts: ['saveNotice', 'stepsHead'],
        saveView: true,
      }),
      post: [{ type: 'firstError', sample: 1, step: 1 }],
    });
    assert.deepEqual(key(state, 'u'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0, 1],
        marks: ['firstError:1'],
        parts: ['saveNotice', 'stepsHead'],
        saveView: true,
      }),
      post: [{ type: 'firstError', sample: 1, step: 0 }],
    });
    assert.equal(state.labels[1]?.firstError, 0);
    assert.deepEqual(press(state, 'u'), [{ type: 'firstError', sample: 1, step: null }]);
    assert.deepEqual(press(state, 'u'), [], 'nothing left to undo');
  });

  test('0 says the sample has no error (no step row flagged); again clears it', () => {
    const state = shown();
    assert.deepEqual(key(state, '0'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0],
        marks: ['firstError:1'],
        parts: ['saveNotice', 'stepsHead'],
        saveView: true,
      }),
      post: [{ type: 'firstError', sample: 1, step: -1 }],
    });
    press(state, 'j');
    assert.deepEqual(press(state, '0'), [{ type: 'firstError', sample: 1, step: null }]);
    press(state, 'e', 'e');
    assert.equal(state.labels[1]?.firstError, undefined);
  });

  test('undo of a label on a step or sample left behind redraws that row too', () => {
    const state = shown();
    press(state, '2', 'j');
    assert.deepEqual(key(state, 'u'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0, 1],
        marks: ['rating:1:0'],
        parts: ['saveNotice'],
        saveView: true,
      }),
      post: [{ type: 'stepRating', sample: 1, step: 0, rating: null }],
    });
    press(state, 'e', 'J');
    assert.deepEqual(key(state, 'u'), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [0],
        marks: ['firstError:1'],
        parts: ['saveNotice'],
        saveView: true,
      }),
      post: [{ type: 'firstError', sample: 1, step: null }],
    });
    assert.deepEqual(state.view.sample, 2);
  });
});

describe('a note', () => {
  test('typed then Escape posts nothing and redraws its row; Enter posts exactly the note', () => {
    const state = shown();
    press(state, '3', 'j');
    // The note is saved with the view as it is typed: a panel VS Code reloads keeps it.
    assert.deepEqual(key(state, 'm'), expectFx({ stepRows: [1], saveView: true }));
    assert.deepEqual(act(state, { kind: 'noteInput', text: 'not this' }), expectFx({ saveView: true }));
    assert.deepEqual(key(state, 'Escape'), expectFx({ stepRows: [1], saveView: true }));
    assert.equal(state.note, null);
    press(state, 'm');
    act(state, { kind: 'noteInput', text: ' 48 is wrong ' });
    assert.deepEqual(act(state, { kind: 'noteSave' }), {
      ...expectFx({
        sampleRows: [1],
        stepRows: [1],
        marks: ['note:1:1'],
        parts: ['saveNotice'],
        saveView: true,
      }),
      post: [{ type: 'note', sample: 1, step: 1, text: '48 is wrong' }],
    });
    press(state, 'm');
    assert.deepEqual(
      state.note,
      { sample: 1, step: 1, text: '48 is wrong' },
      'the field opens with the note',
    );
  });

  test('the cancel button closes the note; with no note, cancel, save and typing do nothing', () => {
    const state = shown();
    press(state, 'm');
    act(state, { kind: 'noteInput', text: 'gone' });
    assert.deepEqual(act(state, { kind: 'noteCancel' }), expectFx({ stepRows: [0], saveView: true }));
    assert.equal(state.note, null);
    for (const action of [
      { kind: 'noteCancel' },
      { kind: 'noteSave' },
      { kind: 'noteInput', text: 'x' },
    ] as const)
      assert.deepEqual(act(state, action), none, action.kind);
    assert.equal(state.note, null);
  });

  test('a note on a step without labels, in a sample that has some; an unchanged one posts nothing', () => {
    const state = shown();
    press(state, '3', 'j', 'm');
    assert.deepEqual(state.note, { sample: 1, step: 1, text: '' });
    assert.deepEqual(act(state, { kind: 'noteSave' }), expectFx({ stepRows: [1], saveView: true }));
  });

  test('a run turned read-only while a note is open takes no note', () => {
    const state = shown();
    press(state, 'm');
    act(state, { kind: 'noteInput', text: 'late' });
    state.receive({ type: 'run/show', run: smallRun(), events: [], readOnly: true });
    assert.deepEqual(act(state, { kind: 'noteSave' }), expectFx({ stepRows: [0], saveView: true }));
    assert.deepEqual(state.labels, {});
  });
});

describe('help and the skipped-lines notice', () => {
  test('? opens and closes the help; Escape closes it', () => {
    const state = shown();
    assert.deepEqual(key(state, '?'), expectFx({ parts: ['help'] }));
    assert.equal(state.helpOpen, true);
    assert.deepEqual(key(state, '?'), expectFx({ parts: ['help'] }));
    assert.equal(state.helpOpen, false);
    press(state, '?');
    assert.deepEqual(key(state, 'Escape'), expectFx({ parts: ['help'] }));
    assert.equal(state.helpOpen, false);
    assert.deepEqual(key(state, 'Escape'), none, 'nothing open');
  });

  test('a dismissed notice stays away for the same log, and comes back when the log changes', () => {
    const skipped = { log: 'a.jsonl', count: 1, lines: [{ line: 3, reason: 'bad JSON' }] };
    const state = new PanelState('page');
    const show = (run: Run, s: typeof skipped | null = skipped) =>
      state.receive({ type: 'run/show', run, events: [], readOnly: false, ...(s ? { skipped: s } : {}) });
    show(smallRun());
    assert.equal(state.showSkipped(), true);
    assert.deepEqual(act(state, { kind: 'dismissSkipped' }), expectFx({ parts: ['status'] }));
    assert.equal(state.showSkipped(), false);
    show(smallRun());
    assert.equal(state.showSkipped(), false, 'the same lines again');
    show(smallRun(), null);
    assert.deepEqual([state.skipped, state.showSkipped()], [undefined, false], 'the log was mended');
    show(smallRun(), { ...skipped, count: 2, lines: [...skipped.lines, { line: 4, reason: 'cut' }] });
    assert.equal(state.showSkipped(), true, 'new bad lines');
    act(state, { kind: 'dismissSkipped' });
    show(
      { ...smallRun(), id: 'run-b' },
      { ...skipped, count: 2, lines: [...skipped.lines, { line: 4, reason: 'cut' }] },
    );
    assert.equal(state.showSkipped(), true, 'another run');
    state.receive({ type: 'view/empty', message: 'none' });
    assert.equal(state.showSkipped(), false, 'no run: no notice');
  });
});

describe('saving', () => {
  test('a failed save is shown, marked, and retried; answers to unknown requests mark nothing', () => {
    const state = shown();
    const [append] = state.apply(KEYMAP['3']!).post as Append[];
    assert.deepEqual(
      fx(
        state.receive({
          type: 'audit/failed',
          runId: 'run-a',
          requestId: append!.requestId,
          message: 'disk full',
        }),
      ),
      expectFx({ parts: ['saveNotice'], marks: ['rating:1:0'] }),
    );
    assert.deepEqual(
      state.saves.failures().map((l) => [l.key, l.status, l.message]),
      [['rating:1:0', 'failed', 'disk full']],
    );
    assert.deepEqual(
      fx(state.receive({ type: 'audit/saved', runId: 'run-a', requestId: 'elsewhere-1' })),
      expectFx({ parts: ['saveNotice'] }),
    );
    assert.deepEqual(act(state, { kind: 'retrySaves' }), {
      ...expectFx({ parts: ['saveNotice'], marks: ['rating:1:0'] }),
      post: [{ type: 'stepRating', sample: 1, step: 0, rating: 1 }],
    });
    assert.equal(state.saves.state('rating:1:0')?.status, 'pending');
  });

  test('a run turned read-only retries nothing', () => {
    const state = shown();
    const [append] = state.apply(KEYMAP['3']!).post as Append[];
    state.receive({
      type: 'audit/failed',
      runId: 'run-a',
      requestId: append!.requestId,
      message: 'disk full',
    });
    state.receive({ type: 'run/show', run: smallRun(), events: [], readOnly: true });
    assert.deepEqual(act(state, { kind: 'retrySaves' }), none);
    assert.equal(state.saves.failures().length, 1);
  });
});
