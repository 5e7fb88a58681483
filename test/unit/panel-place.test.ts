/**
 * The panel keeps a person's place when VS Code loads its page again (the panel hidden behind
 * another tab, or the window reloaded): the page saves PanelState.saved() with setState, and the
 * next page's PanelState is made from it (webview/state.ts). Checked in plain Node; the scroll and
 * the drawing are checked in Chromium (test/webview/panelPlace.test.ts) and in code-server
 * (test/e2e/panelPlace.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Run } from '../../src/core/schemas.js';
import type { HostMessage } from '../../src/protocol.js';
import { KEYMAP } from '../../webview/keys.js';
import { PanelState, type SavedView } from '../../webview/state.js';
import { smallRun } from '../fixtures/smallRun.js';

function show(state: PanelState, run: Run = smallRun(), extra: Partial<HostMessage> = {}) {
  return state.receive({ type: 'run/show', run, events: [], readOnly: false, ...extra } as HostMessage);
}

/** A page that showed smallRun, went to sample 2, step 1, searched and started a note. */
function placed(): PanelState {
  const state = new PanelState('page-1');
  show(state);
  state.apply({ kind: 'selectSample', sample: 2 });
  state.apply(KEYMAP.j!);
  state.apply({ kind: 'search', query: '42' });
  state.apply({ kind: 'selectSample', sample: 2 });
  state.apply({ kind: 'selectStep', step: 1 });
  state.apply(KEYMAP.m!);
  state.apply({ kind: 'noteInput', text: 'half a thou' });
  return state;
}

/** What VS Code hands the next page: the last setState, through JSON as it is stored. */
const reloaded = (saved: SavedView): PanelState =>
  new PanelState('page-2', JSON.parse(JSON.stringify(saved)));

describe('a page loaded again for the same run', () => {
  test('shows the same sample and step, the search and the note being written', () => {
    const before = placed();
    assert.deepEqual([before.view.sample, before.view.step], [2, 1]);
    const after = reloaded(before.saved());
    const effects = show(after);
    assert.deepEqual([after.view.sample, after.view.step], [2, 1], 'not the first disagreement (sample 1)');
    assert.equal(after.search.query, '42');
    assert.ok(after.search.matches.length > 0, 'the search found its matches again');
    assert.ok(effects.parts.has('searchField'), 'the search box shows the query');
    assert.deepEqual(after.note, { sample: 2, step: 1, text: 'half a thou' });
    assert.equal(effects.restored, true, 'the page is told to go back to its scroll');
  });

  test('u still undoes the labels given before the page was loaded again, last first', () => {
    const before = new PanelState('page-1');
    show(before);
    before.apply({ kind: 'selectSample', sample: 2 });
    before.apply({ kind: 'selectStep', step: 1 });
    before.apply(KEYMAP['1']!);
    const rated = before.apply(KEYMAP['3']!);
    assert.equal(rated.saveView, true, 'a label saves what u undoes');
    const after = reloaded(before.saved());
    show(after);
    const undone = after.apply(KEYMAP.u!);
    const events = undone.post.flatMap((message) => (message.type === 'audit/append' ? [message.event] : []));
    assert.deepEqual(
      events.map(({ at: _at, schemaVersion: _version, ...change }) => change),
      [{ type: 'stepRating', sample: 2, step: 1, rating: -1 }],
      'back to the −1 given before the +1',
    );
    // Another run's page takes none of it.
    const elsewhere = reloaded(before.saved());
    show(elsewhere, { ...smallRun(), id: 'run-b' });
    assert.deepEqual(elsewhere.apply(KEYMAP.u!).post, []);
  });

  test('a run shown read-only takes no note back: Enter would throw the text away', () => {
    const after = reloaded(placed().saved());
    show(after, smallRun(), { readOnly: true });
    assert.deepEqual([after.view.sample, after.view.step], [2, 1], 'the place still comes back');
    assert.equal(after.note, null);
  });

  test("the page's scroll is not taken for part of the view", () => {
    const after = new PanelState('page-2', { ...placed().saved(), scroll: { y: 300 } } as SavedView);
    assert.equal('scroll' in after.view, false);
    assert.equal('scroll' in after.saved(), false);
  });

  test('the filters and the disagreement filter come back too; a step the filter hides does not', () => {
    const before = new PanelState('page-1');
    show(before);
    before.apply(KEYMAP.f!);
    before.apply(KEYMAP.j!);
    assert.deepEqual([before.view.sample, before.view.step, before.view.onlyDisagreements], [1, 1, true]);
    const after = reloaded(before.saved());
    show(after);
    assert.deepEqual([after.view.sample, after.view.step, after.view.onlyDisagreements], [1, 1, true]);
    // A saved step the run no longer has (a run rescored shorter): the sample's first step instead.
    const stale = reloaded({ ...before.saved(), step: 7 });
    show(stale);
    assert.deepEqual([stale.view.sample, stale.view.step], [1, 0]);
  });

  test('another run opens where its judges first disagree, with no search and no note', () => {
    const after = reloaded(placed().saved());
    const effects = show(after, { ...smallRun(), id: 'run-b' });
    assert.deepEqual([after.view.sample, after.view.step], [1, 0]);
    assert.equal(after.search.query, '');
    assert.equal(after.note, null);
    assert.equal(effects.restored, false);
  });

  test('only the page’s first run is restored: shown again later, the run opens as any other would', () => {
    const after = reloaded(placed().saved());
    show(after, { ...smallRun(), id: 'run-b' });
    show(after);
    assert.deepEqual([after.view.sample, after.view.step], [1, 0]);
    assert.equal(after.note, null);
  });

  test('a note on a step no longer selected is not brought back', () => {
    const saved = placed().saved();
    const after = reloaded({ ...saved, note: { sample: 2, step: 0, text: 'elsewhere' } });
    show(after);
    assert.equal(after.note, null);
  });
});

describe('a focus from the Dataset Report or the queue', () => {
  const focus = { id: 3, sample: 0, step: 1 };

  test('gone to once: a reload does not take the person back to it', () => {
    const before = new PanelState('page-1');
    show(before, smallRun(), { focus });
    assert.deepEqual([before.view.sample, before.view.step], [0, 1]);
    before.apply({ kind: 'selectSample', sample: 2 });
    const saved = before.saved();
    assert.equal(saved.focusId, 3);
    const after = reloaded(saved);
    show(after, smallRun(), { focus });
    assert.deepEqual([after.view.sample, after.view.step], [2, 0], 'where the person went, not the focus');
  });

  test('a new focus is gone to, even on a page loaded again', () => {
    const before = new PanelState('page-1');
    show(before, smallRun(), { focus });
    before.apply({ kind: 'selectSample', sample: 2 });
    const after = reloaded(before.saved());
    const effects = show(after, smallRun(), { focus: { id: 4, sample: 1, step: 1 } });
    assert.deepEqual([after.view.sample, after.view.step], [1, 1]);
    assert.equal(effects.restored, false);
  });
});

describe('what is saved', () => {
  test('the view, the run, the search and the note; each change that moves them asks to save', () => {
    const state = new PanelState('page-1');
    assert.equal(show(state).saveView, true);
    // The search goes to its first match: sample 0.
    assert.equal(state.apply({ kind: 'search', query: '42' }).saveView, true, 'a query');
    assert.equal(state.apply(KEYMAP.m!).saveView, true, 'a note opened');
    assert.equal(state.apply({ kind: 'noteInput', text: 'a' }).saveView, true, 'a note typed');
    assert.deepEqual(state.saved(), {
      sample: 0,
      step: 0,
      onlyDisagreements: false,
      prm: 'qwen-prm',
      runId: 'run-a',
      query: '42',
      note: { sample: 0, step: 0, text: 'a' },
    });
    assert.equal(state.apply(KEYMAP.Escape!).saveView, true, 'a note closed');
    assert.equal(state.apply({ kind: 'searchClear' }).saveView, true, 'the search cleared');
    assert.deepEqual(state.saved(), {
      sample: 0,
      step: 0,
      onlyDisagreements: false,
      prm: 'qwen-prm',
      runId: 'run-a',
    });
  });
});
