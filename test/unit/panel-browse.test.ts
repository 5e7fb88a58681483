/**
 * Finding things in the panel (webview/browse.ts, and the state that keeps them): text search over
 * the steps, the samples' filters and their order, and what the keys and labels do while a filter
 * is on. The drawing is checked in Chromium (test/webview/search.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Run, Sample } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import {
  answerCounts,
  emptyReason,
  findMatches,
  firstMatchFrom,
  lowerSameLength,
  outcomeCounts,
  outcomeOf,
  shownSamples,
  TRACE,
  verdictCounts,
} from '../../webview/browse.js';
import { KEYMAP, keyAction } from '../../webview/keys.js';
import { summarize } from '../../webview/model.js';
import { type Effects, PanelState } from '../../webview/state.js';
import { smallRun } from '../fixtures/smallRun.js';

/**
 * smallRun (3 samples × 2 steps, reference 42) with two more samples and solution scores:
 * 0: 42 correct, self ok, PRM ok      self 0.9  PRM 0.9
 * 1: 48 wrong, self ok, PRM error @0  self 0.8  PRM 0.1
 * 2: 14 wrong, self @0, PRM @0        self 0.25 PRM 0.2
 * 3: 42.0 correct, self ok, PRM ok    self 0.8  PRM (not judged)
 * 4: failed (no answer)
 */
function fiveRun(): Run {
  const run = smallRun();
  const scores: [number, number | undefined][] = [
    [0.9, 0.9],
    [0.8, 0.1],
    [0.25, 0.2],
  ];
  scores.forEach(([self, prm], i) => {
    run.samples[i]!.judgements.self!.solutionScore = self;
    run.samples[i]!.judgements['qwen-prm']!.solutionScore = prm ?? null;
  });
  // The PRM's own first error is not its verdict: it is read from its scores at τ (all ≥ 0.5 here).
  run.samples[0]!.judgements['qwen-prm']!.firstError = 1;
  const extra: Sample = {
    index: 3,
    text: '',
    steps: ['Six times seven is 42', 'SO 42.0'],
    answer: '42.0',
    correct: true,
    judgements: { self: { stepScores: [1, 1], firstError: -1, solutionScore: 0.8 } },
  };
  const failed: Sample = {
    index: 4,
    text: '',
    steps: [],
    answer: null,
    error: 'HTTP 500',
    judgements: {},
  };
  run.samples.push(extra, failed);
  return run;
}

function shown(run: Run = fiveRun()): PanelState {
  const state = new PanelState('page');
  state.receive({ type: 'run/show', run, events: [], readOnly: false });
  return state;
}

const order = (state: PanelState) => state.shown.map((summary) => summary.sample.index);

type Append = Extract<WebviewMessage, { type: 'audit/append' }>;
const labelled = (effects: Effects) =>
  effects.post
    .filter((m): m is Append => m.type === 'audit/append')
    .map(({ event }) => [event.type, event.sample, 'step' in event ? event.step : undefined]);

describe('searching the steps', () => {
  test('every occurrence, case-insensitive, in the order of the samples given', () => {
    const run = fiveRun();
    const [s0, s1, s2, s3] = run.samples;
    assert.deepEqual(findMatches([s3!, s0!, s1!, s2!], 'so'), [
      { sample: 3, step: 1, start: 0 },
      { sample: 0, step: 1, start: 9 },
      { sample: 1, step: 1, start: 0 },
      { sample: 2, step: 1, start: 0 },
    ]);
    assert.deepEqual(findMatches(run.samples, '42').length, 4);
    // Occurrences do not overlap: "aaaa" holds "aa" twice.
    const sample: Sample = { ...s0!, steps: ['aaaa'] };
    assert.deepEqual(
      findMatches([sample], 'AA').map((m) => m.start),
      [0, 2],
    );
    assert.deepEqual(findMatches(run.samples, '   '), [], 'spaces alone are no search');
  });

  test('an offset found in lowered text is the offset in the text shown, even where lowering grows it', () => {
    // "İ".toLowerCase() is two characters: a plain lowering would put every later match one off.
    assert.equal(lowerSameLength('İstanbul ABC').length, 'İstanbul ABC'.length);
    const sample: Sample = { ...fiveRun().samples[0]!, steps: ['İİ then ABC'] };
    const [match] = findMatches([sample], 'abc');
    assert.equal('İİ then ABC'.slice(match!.start, match!.start + 3), 'ABC');
  });

  test('the search starts at the selected step, else at the top', () => {
    const matches = [
      { sample: 0, step: 1, start: 0 },
      { sample: 2, step: 0, start: 0 },
      { sample: 2, step: 1, start: 0 },
    ];
    assert.equal(firstMatchFrom(matches, [0, 1, 2], 2, 1), 2);
    assert.equal(firstMatchFrom(matches, [0, 1, 2], 1, 0), 1);
    const reversed = [matches[1]!, matches[2]!, matches[0]!];
    assert.equal(firstMatchFrom(reversed, [2, 1, 0], 1, 0), 2, 'in the list order, not by index');
    assert.equal(firstMatchFrom(matches, [0, 1, 2], 2, 2), 0, 'past the last: round to the first');
    assert.equal(firstMatchFrom([], [0], 0, 0), -1);
  });

  test('typing goes to the first match from where the person is; next and previous go round', () => {
    const state = shown();
    assert.deepEqual([state.view.sample, state.view.step], [1, 0]);
    const fx = state.apply({ kind: 'search', query: 'SO' });
    // From sample 1 step 0 the first "so" is sample 1's step 1.
    assert.deepEqual([state.view.sample, state.view.step, state.search.current], [1, 1, 1]);
    assert.equal(state.search.matches.length, 4);
    assert.ok(fx.parts.has('searchCount') && fx.parts.has('searchMarks') && fx.scrollStep && fx.scrollMatch);
    state.apply(KEYMAP.F3!);
    state.apply(KEYMAP.F3!);
    assert.deepEqual([state.view.sample, state.view.step, state.search.current], [3, 1, 3]);
    state.apply(KEYMAP.F3!);
    assert.deepEqual([state.view.sample, state.search.current], [0, 0], 'after the last: the first');
    state.apply(KEYMAP['Shift+F3']!);
    assert.deepEqual([state.view.sample, state.search.current], [3, 3], 'before the first: the last');
    assert.deepEqual(state.matchesAt(3, 1), [3]);
    assert.deepEqual(state.matchesAt(3, 0), []);
  });

  test("a sample's reasoning trace is searched too, its matches before its steps'", () => {
    const run = fiveRun();
    run.samples[2]!.reasoning = 'Hmm, so 14? Or so.';
    assert.deepEqual(
      findMatches(run.samples.slice(1, 3), 'so').map(({ sample, step, start }) => [sample, step, start]),
      [
        [1, 1, 0],
        [2, TRACE, 5],
        [2, TRACE, 15],
        [2, 1, 0],
      ],
    );
    const state = shown(run);
    // From sample 1, step 0: its step 1, then sample 2's trace.
    state.apply({ kind: 'search', query: 'so' });
    assert.equal(state.search.current, 1);
    const fx = state.apply(KEYMAP.F3!);
    assert.deepEqual([state.view.sample, state.search.current], [2, 2]);
    assert.deepEqual(state.matchesAt(2, TRACE), [2, 3]);
    assert.deepEqual(state.matchesAt(2, 1), [4]);
    assert.equal(state.view.step, 0, 'a match in the trace selects no step');
    assert.ok(fx.scrollMatch && fx.parts.has('steps'), 'the sample opened at its trace');
    state.apply(KEYMAP.F3!);
    state.apply(KEYMAP.F3!);
    assert.deepEqual([state.view.sample, state.view.step, state.search.current], [2, 1, 4]);
    assert.equal(state.search.samples.size, 4, 'samples 0–3: sample 2 once, trace and steps');
    // Hidden by a filter, its trace's matches are counted with the hidden ones.
    state.apply({ kind: 'setFilters', filters: { outcome: 'correct' } });
    assert.deepEqual([state.search.matches.length, state.search.hidden], [2, 4]);
  });

  test('a match on a step the disagreement filter hides shows every step', () => {
    const state = shown();
    // The filter is turned on where the judges disagree (f is refused on a sample where they agree).
    state.apply(KEYMAP.f!);
    assert.equal(state.view.onlyDisagreements, true);
    state.apply({ kind: 'selectSample', sample: 2 });
    assert.deepEqual(state.visibleSteps, [], 'sample 2: both judges put the first error at step 0');
    state.apply({ kind: 'search', query: 'so 14' });
    assert.deepEqual([state.view.sample, state.view.step, state.view.onlyDisagreements], [2, 1, false]);
    assert.deepEqual(state.visibleSteps, [0, 1]);
  });

  test('Escape closes the help first, then clears the search', () => {
    const state = shown();
    state.apply({ kind: 'search', query: '42' });
    state.apply(KEYMAP['?']!);
    state.apply(KEYMAP.Escape!);
    assert.equal(state.search.query, '42', 'the first Escape closed the help');
    const fx = state.apply(KEYMAP.Escape!);
    assert.deepEqual([state.search.query, state.search.matches], ['', []]);
    assert.ok(fx.parts.has('searchField'), 'the box is emptied too');
  });

  test('F3 and Shift+F3 go next and previous; Shift with another named key is that key', () => {
    assert.deepEqual(keyAction({ key: 'F3', shiftKey: false }), { kind: 'findNext', delta: 1 });
    assert.deepEqual(keyAction({ key: 'F3', shiftKey: true }), { kind: 'findNext', delta: -1 });
    assert.deepEqual(keyAction({ key: 'ArrowDown', shiftKey: true }), { kind: 'step', delta: 1 });
    assert.deepEqual(keyAction({ key: 'J', shiftKey: true }), { kind: 'sample', delta: 1 });
    assert.equal(keyAction({ key: 'F4', shiftKey: true }), undefined);
  });

  test('/ asks for the focus in the search box', () => {
    assert.equal(shown().apply(KEYMAP['/']!).focus, 'search');
  });
});

describe('filtering and sorting the samples', () => {
  test('outcomes, answers and verdicts counted as the filters offer them', () => {
    const run = fiveRun();
    assert.deepEqual(run.samples.map(outcomeOf), ['correct', 'wrong', 'wrong', 'correct', 'noAnswer']);
    assert.deepEqual(outcomeCounts(run), { correct: 2, wrong: 2, noAnswer: 1, unknown: 0 });
    const noReference = { ...run.samples[0]!, correct: undefined };
    assert.equal(outcomeOf(noReference), 'unknown');
    assert.deepEqual(answerCounts(run), [
      { answer: '42', count: 2 },
      { answer: '48', count: 1 },
      { answer: '14', count: 1 },
    ]);
    // The PRM reads its scores at its τ: sample 3 it never judged, so it has no verdict there.
    assert.deepEqual(verdictCounts(run, 'qwen-prm'), { ok: 1, error: 2 });
    assert.deepEqual(verdictCounts(run, 'self'), { ok: 3, error: 1 });
  });

  test('each filter, and all at once', () => {
    const run = fiveRun();
    const summaries = summarize(run, {}, 'qwen-prm');
    const keep = (filters: Parameters<typeof shownSamples>[2]) =>
      shownSamples(run, summaries, filters, undefined).map((s) => s.sample.index);
    assert.deepEqual(keep({}), [0, 1, 2, 3, 4]);
    assert.deepEqual(keep({ answer: '42' }), [0, 3], '42.0 is the answer 42');
    assert.deepEqual(keep({ outcome: 'wrong' }), [1, 2]);
    assert.deepEqual(keep({ outcome: 'noAnswer' }), [4]);
    assert.deepEqual(keep({ verdict: { judge: 'qwen-prm', hasError: true } }), [1, 2]);
    assert.deepEqual(keep({ verdict: { judge: 'qwen-prm', hasError: false } }), [0]);
    assert.deepEqual(keep({ verdict: { judge: 'self', hasError: false } }), [0, 1, 3]);
    assert.deepEqual(keep({ outcome: 'wrong', verdict: { judge: 'self', hasError: false } }), [1]);
  });

  test('by score, high or low first; no score last either way; ties in sample order', () => {
    const run = fiveRun();
    const summaries = summarize(run, {}, 'qwen-prm');
    const sorted = (judge: string, descending: boolean) =>
      shownSamples(run, summaries, {}, { judge, descending }).map((s) => s.sample.index);
    assert.deepEqual(sorted('self', true), [0, 1, 3, 2, 4]);
    assert.deepEqual(sorted('self', false), [2, 1, 3, 0, 4]);
    assert.deepEqual(sorted('qwen-prm', true), [0, 2, 1, 3, 4]);
    assert.deepEqual(sorted('qwen-prm', false), [1, 2, 0, 3, 4]);
  });

  test('an empty list says which filter keeps nothing, or that they exclude each other', () => {
    const run = fiveRun();
    assert.equal(
      emptyReason(run, { outcome: 'unknown', answer: '42' }),
      'No sample matches: none of the 5 is “unknown (no reference)”.',
    );
    assert.equal(
      emptyReason(run, { answer: '42', outcome: 'wrong' }),
      'No sample is “answer 42” and “wrong” at once. Each alone keeps some: try removing one.',
    );
  });
});

describe('the state with filters and order', () => {
  test('a filter that hides the selected sample selects the first it shows; the view keeps it', () => {
    const state = shown();
    const fx = state.apply({ kind: 'setFilters', filters: { outcome: 'correct', answer: undefined } });
    assert.deepEqual(order(state), [0, 3]);
    assert.deepEqual([state.view.sample, state.view.step], [0, 0]);
    assert.deepEqual(state.view.filters, { outcome: 'correct' }, 'no undefined kept in the saved view');
    assert.ok(fx.parts.has('steps') && fx.parts.has('samples') && fx.saveView);
  });

  test('J / K and n move through the samples as shown; labels land on the sample shown', () => {
    const state = shown();
    state.apply({ kind: 'setSort', sort: { judge: 'qwen-prm', descending: false } });
    assert.deepEqual(order(state), [1, 2, 0, 3, 4]);
    assert.equal(state.view.sample, 1, 'the selected sample stays selected');
    state.apply(KEYMAP.J!);
    assert.equal(state.view.sample, 2, 'the next in the list, not the next index');
    assert.deepEqual(labelled(state.apply(KEYMAP['1']!)), [['stepRating', 2, 0]]);
    state.apply({ kind: 'setFilters', filters: { outcome: 'correct' } });
    assert.deepEqual(order(state), [0, 3]);
    state.apply(KEYMAP.J!);
    assert.equal(state.view.sample, 3);
    assert.deepEqual(labelled(state.apply(KEYMAP.e!)), [['firstError', 3, 0]]);
    // n: sample 1 disagrees but is hidden; no shown sample disagrees, so n stays.
    state.apply(KEYMAP.n!);
    assert.equal(state.view.sample, 3);
  });

  test('filters that keep nothing select nothing: labels do nothing, and the steps say why', () => {
    const state = shown();
    const fx = state.apply({ kind: 'setFilters', filters: { answer: '42', outcome: 'wrong' } });
    assert.deepEqual(order(state), []);
    assert.equal(state.currentSample(), undefined);
    assert.ok(fx.parts.has('steps'));
    for (const key of ['1', 'e', '0', 's', 'm', 'J', 'n'])
      assert.deepEqual(state.apply(KEYMAP[key]!).post, [], key);
    state.apply({ kind: 'setFilters', filters: {} });
    assert.ok(state.currentSample(), 'without filters a sample is selected again');
    assert.deepEqual(state.visibleSteps, [0, 1]);
  });

  test('the search goes through the shown samples only, and counts what the filters hide', () => {
    const state = shown();
    state.apply({ kind: 'setFilters', filters: { outcome: 'wrong' } });
    state.apply({ kind: 'search', query: '42' });
    assert.deepEqual(state.search.matches, []);
    assert.equal(state.search.hidden, 4);
    state.apply({ kind: 'setFilters', filters: {} });
    assert.equal(state.search.matches.length, 4, 'the matches follow the filters');
    assert.equal(state.search.hidden, 0);
    assert.deepEqual([...state.search.samples], [0, 3], 'the samples the list marks');
  });

  test('filters, order and search stay as the run grows live; a new sample is filtered and found', () => {
    const full = fiveRun();
    const state = shown({ ...full, samples: full.samples.slice(0, 2), status: 'running' });
    state.apply({ kind: 'setFilters', filters: { outcome: 'correct' } });
    state.apply({ kind: 'setSort', sort: { judge: 'self', descending: false } });
    state.apply({ kind: 'search', query: '42' });
    assert.deepEqual(order(state), [0]);
    // On to sample 0's second "42" (step 1), then back up a step: the match stays the one gone to.
    state.apply(KEYMAP.F3!);
    state.apply(KEYMAP.k!);
    const current = state.search.matches[state.search.current];
    assert.deepEqual([current, state.view.step], [{ sample: 0, step: 1, start: 14 }, 0]);
    state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[3]! });
    state.receive({ type: 'run/sample', runId: 'run-a', sample: full.samples[2]! });
    assert.deepEqual(order(state), [3, 0], 'sorted by self score, low first; the wrong 14 left out');
    assert.deepEqual(state.view.filters, { outcome: 'correct' });
    assert.equal(state.search.matches.length, 4);
    assert.deepEqual(state.search.matches[state.search.current], current, 'the match gone to stays');
  });

  test('a reload of the same run keeps the filters; another run starts without them', () => {
    const saved = { sample: 0, step: 0, onlyDisagreements: false, filters: { outcome: 'wrong' as const } };
    const again = new PanelState('page', { ...saved, runId: 'run-a' });
    again.receive({ type: 'run/show', run: fiveRun(), events: [], readOnly: false });
    assert.deepEqual(order(again), [1, 2]);
    const other = new PanelState('page', { ...saved, runId: 'run-b' });
    other.receive({ type: 'run/show', run: fiveRun(), events: [], readOnly: false });
    assert.deepEqual(order(other), [0, 1, 2, 3, 4]);
  });

  test('a sample the Dataset Report asks for is shown even if the filters hid it', () => {
    const state = shown();
    state.apply({ kind: 'setFilters', filters: { outcome: 'correct' } });
    state.receive({
      type: 'run/show',
      run: fiveRun(),
      events: [],
      readOnly: false,
      focus: { id: 7, sample: 2, step: 1 },
    });
    assert.deepEqual([state.view.sample, state.view.step], [2, 1]);
    assert.equal(state.view.filters, undefined);
  });
});
