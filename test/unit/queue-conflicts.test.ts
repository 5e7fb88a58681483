/**
 * The audit queue's state (webview/queue/state.ts) and contradictory labels: a key that leaves the
 * sample's first-error mark and its ratings contradicting says so in the status line, in the
 * panel's words (core/labelConflicts labelConflictSentence), since the exports leave such a sample
 * out; and while a note is open, a click on "unlabelled only" acts (a key does not).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { QUEUE_KEYMAP } from '../../webview/queue/keys.js';
import { QueueState } from '../../webview/queue/state.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2) with ann's events. */
function show(events: AuditEvent[] = [], unlabelledOnly = false): QueueHostMessage {
  return miniQueueShow({ events, position: { unlabelledOnly } });
}

const ann = (change: Parameters<typeof stampEvent>[0]): AuditEvent => ({
  ...stampEvent(change),
  annotator: 'ann',
});

function press(state: QueueState, key: string): QueueWebviewMessage[] {
  return state.apply(QUEUE_KEYMAP[key]!).post;
}

const CONTRADICT = /Labels contradict/;

test('0 on a sample with a step rated −1 says the labels contradict and that exports leave it out', () => {
  const state = new QueueState('t');
  state.receive(show());
  assert.equal(state.current()?.key, 'r#0#0');
  press(state, '1');
  assert.doesNotMatch(state.lastAction, CONTRADICT, 'a lone −1 contradicts nothing');
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#0#1');
  press(state, '0');
  assert.equal(
    state.lastAction,
    'r · sample 0 · step 1: the sample has no error (u undoes). Labels contradict: marked no error, but step 0 is rated −1. Until one changes, exports leave this sample out.',
  );
  // The label is recorded all the same (never blocked) and the queue moves on.
  assert.equal(state.labels.get('r')?.[0]?.firstError, -1);
  // u takes the mark back: nothing contradicts any more, and nothing says so.
  press(state, 'u');
  assert.equal(state.lastAction, 'Undone: r · sample 0 · step 1');
});

test('e after an earlier −1, a rating against the mark, and an undo back into a contradiction all say so', () => {
  const state = new QueueState('t');
  // Sample 0: step 0 rated −1 in the panel before the queue was opened.
  state.receive(show([ann({ type: 'stepRating', sample: 0, step: 0, rating: -1 })]));
  press(state, 'n');
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#0#1');
  press(state, 'e');
  assert.match(
    state.lastAction,
    /first error of its sample \(u undoes\)\. Labels contradict: first error marked at step 1, but earlier step 0 is rated −1\. Until one changes, exports leave this sample out\.$/,
  );
  // The mark stays at step 1; rating step 1 itself +1 adds to the contradiction.
  press(state, 'k');
  assert.equal(state.current()?.key, 'r#0#1');
  press(state, '3');
  assert.match(
    state.lastAction,
    /: \+1 \(u undoes\)\. Labels contradict: .*and step 1 itself is rated \+1\./,
  );
  // Another sample's labels are not this one's.
  const other = new QueueState('t');
  other.receive(show([ann({ type: 'stepRating', sample: 0, step: 0, rating: -1 })]));
  press(other, 'n');
  assert.equal(other.current()?.key, 'r#1#0');
  press(other, '0');
  assert.doesNotMatch(other.lastAction, CONTRADICT);
  // Fixed (step 0 rated +1 instead), then undone: the contradiction is back, and said.
  const fixed = new QueueState('t');
  fixed.receive(
    show([
      ann({ type: 'stepRating', sample: 0, step: 0, rating: -1 }),
      ann({ type: 'firstError', sample: 0, step: -1 }),
    ]),
  );
  assert.equal(fixed.current()?.key, 'r#0#0');
  press(fixed, '3');
  assert.doesNotMatch(fixed.lastAction, CONTRADICT);
  press(fixed, 'u');
  assert.match(fixed.lastAction, /^Undone: r · sample 0 · step 0. Labels contradict: marked no error/);
});

test('while a note is open the f key is text, but a click on "unlabelled only" acts and redraws', () => {
  const state = new QueueState('t');
  state.receive(show([], true));
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'half' });
  assert.deepEqual(press(state, 'f'), []);
  assert.equal(state.position.unlabelledOnly, true, 'a key typed in the field never acts');
  const effects = state.apply({ kind: 'unlabelledOnly', via: 'click' });
  assert.equal(effects.render, true, 'the page is drawn as the queue now is');
  assert.equal(state.position.unlabelledOnly, false);
  assert.deepEqual(
    effects.post.filter((message) => message.type === 'queue/position').map((m) => m.position.unlabelledOnly),
    [false],
  );
  // The note half written stays open on its item, to go on with.
  assert.equal(state.noteDraftOf(state.current())?.text, 'half');
  // The rubric's heading clicked opens or closes it too.
  const open = state.rubricOpen;
  state.apply({ kind: 'rubric', via: 'click' });
  assert.notEqual(state.rubricOpen, open);
});
