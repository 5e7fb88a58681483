/**
 * The audit queue page's state kept with the webview's state (webview/queue/state.ts saved() and
 * the constructor that reads it back): VS Code drops a hidden queue's page and loads it again, and
 * the new page is to show the same item, with the note half written, back and undo as they were.
 * What is read back is shape-checked: what does not fit is left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { QUEUE_KEYMAP } from '../../webview/queue/keys.js';
import { parseSavedQueue, QueueState } from '../../webview/queue/state.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2), shown at `key`, to `annotator`. */
function show(
  options: { events?: AuditEvent[]; key?: string; annotator?: string } = {},
): Extract<QueueHostMessage, { type: 'queue/show' }> {
  return miniQueueShow({
    events: options.events ?? [],
    ...(options.annotator !== undefined ? { annotator: options.annotator } : {}),
    position: { unlabelledOnly: true, ...(options.key !== undefined ? { key: options.key } : {}) },
  });
}

function press(state: QueueState, key: string): QueueWebviewMessage[] {
  return state.apply(QUEUE_KEYMAP[key]!).post;
}

const labels = (posted: QueueWebviewMessage[]) =>
  posted.filter((m): m is Extract<QueueWebviewMessage, { type: 'queue/label' }> => m.type === 'queue/label');

/** What the webview keeps: setState takes JSON-able data, and what comes back is a copy. */
const throughSetState = (state: QueueState): unknown => JSON.parse(JSON.stringify(state.saved()));

/** The host's position key after the moves of `state` (it hears each queue/position). */
const hostKey = (state: QueueState): string | undefined => {
  const message = state.positionMessage();
  return message.type === 'queue/position' ? message.position.key : undefined;
};

test('a note half written comes back on the page loaded again, with its text, on its item', () => {
  const state = new QueueState('page1');
  state.receive(show());
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#1#0');
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'not sure about the sign' });

  const again = new QueueState('page2', throughSetState(state));
  again.receive(show({ key: hostKey(state) }));
  assert.equal(again.current()?.key, 'r#1#0');
  assert.deepEqual(again.noteDraftOf(again.current()), {
    run: 'r',
    sample: 1,
    step: 0,
    text: 'not sure about the sign',
  });
  // Its keys are text again: a 1 typed into it labels nothing.
  assert.deepEqual(labels(press(again, '1')), []);
  // Enter saves it as this page's own note event.
  const saved = labels(again.apply({ kind: 'noteSave' }).post);
  assert.equal(saved.length, 1);
  assert.deepEqual(
    {
      type: saved[0]!.event.type,
      sample: saved[0]!.event.sample,
      text: (saved[0]!.event as { text: string }).text,
    },
    { type: 'note', sample: 1, text: 'not sure about the sign' },
  );
});

test('the item shown is the same one though it is labelled; back and undo work as before the reload', () => {
  const state = new QueueState('page1');
  state.receive(show());
  const rated = labels(press(state, '1'))[0]!.event;
  assert.equal(state.current()?.key, 'r#1#0');
  press(state, 'k');
  assert.equal(state.current()?.key, 'r#0#0', 'back to the item just labelled');
  state.apply({ kind: 'rubric', via: 'click' });
  const rubricOpen = state.rubricOpen;
  const lastAction = state.lastAction;

  // The host's log has the label; its position is the item shown, which unlabelled-only would skip.
  const again = new QueueState('page2', throughSetState(state));
  again.receive(show({ events: [{ ...rated, annotator: 'ann' }], key: hostKey(state) }));
  assert.equal(again.current()?.key, 'r#0#0', 'the labelled item shown stays shown');
  assert.equal(again.rubricOpen, rubricOpen);
  assert.equal(again.lastAction, lastAction);
  // u puts back what was there before the label: no rating.
  const undone = labels(press(again, 'u'));
  assert.equal(undone.length, 1);
  assert.deepEqual(
    {
      type: undone[0]!.event.type,
      step: (undone[0]!.event as { step: number }).step,
      rating: (undone[0]!.event as { rating: unknown }).rating,
    },
    { type: 'stepRating', step: 0, rating: null },
  );
  assert.equal(again.labels.get('r')?.[0]?.steps[0]?.rating, undefined);
});

test('back after the reload goes to the item shown before it, not the one before it in the queue', () => {
  // r#1#0 is labelled: unlabelled only, n goes from r#0#0 straight to r#0#1.
  const events: AuditEvent[] = [
    { ...stampEvent({ type: 'stepRating', sample: 1, step: 0, rating: 1 }), annotator: 'ann' },
  ];
  const state = new QueueState('page1');
  state.receive(show({ events }));
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#0#1');
  const again = new QueueState('page2', throughSetState(state));
  again.receive(show({ events, key: hostKey(state) }));
  assert.equal(again.current()?.key, 'r#0#1');
  press(again, 'k');
  assert.equal(again.current()?.key, 'r#0#0');
});

test("another annotator's queue takes none of it; a draft whose item is gone is dropped", () => {
  const state = new QueueState('page1');
  state.receive(show());
  press(state, 'n');
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'draft' });
  const saved = throughSetState(state);

  const bob = new QueueState('page2', saved);
  bob.receive(show({ annotator: 'bob' }));
  assert.equal(bob.current()?.key, 'r#0#0', 'bob starts where the host puts him');
  assert.equal(bob.note, null);
  assert.deepEqual(labels(press(bob, 'u')), [], 'no undo of ann’s label');

  // The item of the draft is no longer in the queue (its run was read again without it).
  const gone = new QueueState('page3', saved);
  const message = show();
  message.items = message.items.filter((item) => item.key !== 'r#1#0');
  gone.receive(message);
  assert.equal(gone.note, null);
});

test('a page that has not shown a queue yet keeps what the page before it saved', () => {
  const state = new QueueState('page1');
  state.receive(show());
  press(state, 'n');
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'kept' });
  const saved = throughSetState(state);
  const waiting = new QueueState('page2', saved);
  assert.deepEqual(JSON.parse(JSON.stringify(waiting.saved())), saved);
  waiting.receive({ type: 'queue/empty', message: 'reading' });
  assert.deepEqual(JSON.parse(JSON.stringify(waiting.saved())), saved);
});

test('what is read back is shape-checked: what does not fit is left out, the rest is kept', () => {
  assert.equal(parseSavedQueue(undefined), undefined);
  assert.equal(parseSavedQueue('ann'), undefined);
  assert.equal(parseSavedQueue({ key: 'r#0#0' }), undefined, 'no annotator: nobody’s');
  const good = { type: 'stepRating', sample: 0, step: 0, rating: null };
  const parsed = parseSavedQueue({
    annotator: 'ann',
    key: 7,
    note: { run: 'r', sample: '1', step: 0, text: 'x' },
    history: ['r#0#0', 3, null, 'r#1#0'],
    undo: [
      { changes: [good], run: 'r', key: 'r#0#0' },
      { changes: [{ type: 'stepRating', sample: 0, step: 0, rating: 5 }], run: 'r', key: 'r#0#0' },
      { changes: [{ type: 'note', sample: -1, step: 0, text: 'x' }], run: 'r', key: 'r#0#0' },
      { changes: [good, 'rate'], run: 'r', key: 'r#0#0' },
      { changes: [good], run: 3, key: 'r#0#0' },
      { changes: [], run: 'r', key: 'r#0#0' },
      null,
    ],
    rubricOpen: 'yes',
    lastAction: { text: '<img src=x>' },
  });
  assert.deepEqual(parsed, {
    annotator: 'ann',
    history: ['r#0#0', 'r#1#0'],
    undo: [{ changes: [good], run: 'r', key: 'r#0#0' }],
  });
  // A note with a negative step or no text is no draft.
  assert.equal(
    parseSavedQueue({ annotator: 'ann', note: { run: 'r', sample: 0, step: -1, text: 'x' } })?.note,
    undefined,
  );
  assert.equal(
    parseSavedQueue({ annotator: 'ann', note: { run: 'r', sample: 0, step: 0 } })?.note,
    undefined,
  );
  // A state of anything at all makes a page that works.
  const state = new QueueState('p', { annotator: 'ann', key: 'nowhere', note: 'x', undo: 'y', history: {} });
  state.receive(show());
  assert.equal(state.current()?.key, 'r#0#0');
  assert.equal(state.note, null);
});

test('back and undo are kept to the last 50: the saved state stays small however long the session', () => {
  const state = new QueueState('page1');
  state.receive(show());
  for (let i = 0; i < 60; i++) state.apply({ kind: 'who', who: i % 2 === 0 ? 'self' : 'prm' });
  for (let i = 0; i < 60; i++) press(state, i % 2 === 0 ? 'n' : 'k');
  const saved = state.saved();
  assert.equal(saved?.undo?.length, 50);
  assert.ok((saved?.history?.length ?? 0) <= 50);
  // The newest are the ones kept: the last who (prm) is what u undoes to self.
  const again = new QueueState('page2', throughSetState(state));
  again.receive(show({ key: hostKey(state) }));
  const undone = labels(press(again, 'u'));
  assert.equal((undone[0]?.event as { who?: unknown } | undefined)?.who, 'self');
});
