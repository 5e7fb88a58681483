/**
 * Notes in the audit queue: the notes others left on a step reach the page with the queue
 * (src/core/auditQueue.ts othersStepNotes), and the page's state (webview/queue/state.ts) lets the
 * person write their own with m, saved as the panel's note event through the queue's save path;
 * while the note is written, keys are its text and never labels or moves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stampEvent } from '../../src/core/audit.js';
import { othersStepNotes, type QueueNote } from '../../src/core/auditQueue.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { QueueWebviewMessage } from '../../src/protocol.js';
import { QUEUE_KEYMAP } from '../../webview/queue/keys.js';
import { QueueState } from '../../webview/queue/state.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';

const by = (
  annotator: string,
  change: Parameters<typeof stampEvent>[0],
  adjudicated = false,
): AuditEvent => ({
  ...stampEvent(change, new Date('2026-01-01T00:00:00Z')),
  annotator,
  ...(adjudicated ? { adjudicated: true as const } : {}),
});

test('othersStepNotes: each other annotator’s current step note, then adjudication’s; never the person’s own', () => {
  const events: AuditEvent[] = [
    by('ann', { type: 'note', sample: 0, step: 1, text: 'ann’s own' }),
    by('bob', { type: 'note', sample: 0, step: 1, text: 'first try' }),
    by('bob', { type: 'note', sample: 0, step: 1, text: 'sign error here' }),
    by('carol', { type: 'note', sample: 0, step: 1, text: 'agree with bob' }),
    by('carol', { type: 'note', sample: 0, step: 2, text: 'gone' }),
    by('carol', { type: 'note', sample: 0, step: 2, text: '' }),
    by('bob', { type: 'note', sample: 0, text: 'a sample note is not a step note' }),
    by('dan', { type: 'note', sample: 1, step: 0, text: 'settled' }, true),
    by('bob', { type: 'note', sample: 1, step: 3, text: 'cleared later' }),
    by('bob', { type: 'clear', sample: 1, step: 3 }),
  ];
  assert.deepEqual(othersStepNotes(events, 'ann'), [
    { sample: 0, step: 1, annotator: 'bob', text: 'sign error here' },
    { sample: 0, step: 1, annotator: 'carol', text: 'agree with bob' },
    { sample: 1, step: 0, annotator: 'dan', text: 'settled', adjudicated: true },
  ]);
  // bob's queue shows ann's note and not his own.
  assert.deepEqual(
    othersStepNotes(events, 'bob')
      .filter((note) => !note.adjudicated)
      .map((note) => note.annotator),
    ['ann', 'carol'],
  );
});

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2) with ann's events and others' notes. */
function show(events: AuditEvent[] = [], notes?: Record<string, QueueNote[]>) {
  return { ...miniQueueShow({ events }), ...(notes ? { notes } : {}) };
}

const labels = (posted: QueueWebviewMessage[]) =>
  posted.filter((m): m is Extract<QueueWebviewMessage, { type: 'queue/label' }> => m.type === 'queue/label');

function press(state: QueueState, key: string): QueueWebviewMessage[] {
  const action = QUEUE_KEYMAP[key];
  return action ? state.apply(action).post : [];
}

test('m is the panel’s note key and free in the queue: it opens the note on the shown step', () => {
  assert.deepEqual(QUEUE_KEYMAP.m, { kind: 'note' });
  const state = new QueueState('t');
  state.receive(show([by('ann', { type: 'note', sample: 0, step: 0, text: 'old words' })]));
  press(state, 'm');
  assert.deepEqual(state.noteDraftOf(state.current()), { run: 'r', sample: 0, step: 0, text: 'old words' });
});

test('while a note is written, the trial string is text: nothing is labelled, nothing moves', () => {
  const state = new QueueState('t');
  state.receive(show());
  press(state, 'm');
  const posted: QueueWebviewMessage[] = [];
  for (const key of 'e1jnps3u0g/f') posted.push(...press(state, key));
  assert.deepEqual(posted, []);
  assert.equal(state.current()?.key, 'r#0#0');
  assert.equal(state.position.unlabelledOnly, true);
  assert.equal(state.labels.get('r')?.[0]?.steps[0], undefined);
  assert.ok(state.noteDraftOf(state.current()), 'the note is still open');
});

test('Enter saves the note as the panel’s note event, trimmed; saving… until the host says saved; u undoes', () => {
  const state = new QueueState('t');
  state.receive(show());
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: '  e1jnps3u0g/f <b>x</b>  ' });
  const posted = labels(state.apply({ kind: 'noteSave' }).post);
  assert.equal(posted.length, 1);
  assert.equal(posted[0]!.runId, 'r');
  assert.deepEqual(
    { ...posted[0]!.event, at: undefined, schemaVersion: undefined },
    {
      type: 'note',
      sample: 0,
      step: 0,
      text: 'e1jnps3u0g/f <b>x</b>',
      at: undefined,
      schemaVersion: undefined,
    },
  );
  assert.equal(state.note, null);
  // The note does not label the item: the person stays on it.
  assert.equal(state.current()?.key, 'r#0#0');
  const notes = state.notesOn(state.current()!);
  assert.equal(notes.own, 'e1jnps3u0g/f <b>x</b>');
  assert.equal(notes.ownSave?.status, 'pending');
  state.receive({ type: 'queue/saved', runId: 'r', requestId: posted[0]!.requestId });
  assert.equal(state.notesOn(state.current()!).ownSave, undefined);
  // Saving the same words again writes nothing.
  press(state, 'm');
  assert.deepEqual(labels(state.apply({ kind: 'noteSave' }).post), []);
  // u takes it back: an empty note, as the panel's undo writes.
  const undone = labels(press(state, 'u'));
  assert.equal((undone[0]!.event as { text: string }).text, '');
  assert.equal(state.notesOn(state.current()!).own, undefined);
});

test('Esc closes the note unsaved; a save that fails says so and the same note is posted again', () => {
  const state = new QueueState('t');
  state.receive(show());
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'never mind' });
  assert.deepEqual(labels(press(state, 'Escape')), []);
  assert.equal(state.note, null);
  assert.equal(state.notesOn(state.current()!).own, undefined);
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'keep' });
  const [first] = labels(state.apply({ kind: 'noteSave' }).post);
  state.receive({ type: 'queue/failed', runId: 'r', requestId: first!.requestId, message: 'disk full' });
  assert.equal(state.notesOn(state.current()!).ownSave?.message, 'disk full');
  press(state, 'm');
  const again = labels(state.apply({ kind: 'noteSave' }).post);
  assert.equal((again[0]?.event as { text: string } | undefined)?.text, 'keep');
});

test('a note saved elsewhere arrives with the queue sent again: shown, and a note half written stays', () => {
  const state = new QueueState('t');
  state.receive(show());
  assert.deepEqual(state.notesOn(state.current()!).others, []);
  press(state, 'm');
  state.apply({ kind: 'noteInput', text: 'half' });
  // The panel saved ann's note on another step and bob's on this one; the host sends the queue again.
  state.receive(
    show([by('ann', { type: 'note', sample: 0, step: 1, text: 'from the panel' })], {
      r: [{ sample: 0, step: 0, annotator: 'bob', text: 'bob says' }],
    }),
  );
  assert.deepEqual(state.notesOn(state.current()!).others, [
    { sample: 0, step: 0, annotator: 'bob', text: 'bob says' },
  ]);
  assert.equal(state.noteDraftOf(state.current())?.text, 'half');
  assert.ok(state.severalAnnotators(), 'bob wrote: notes are named');
  press(state, 'Escape');
  press(state, 'n');
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#0#1');
  assert.equal(state.notesOn(state.current()!).own, 'from the panel');
  assert.deepEqual(state.notesOn(state.current()!).others, []);
});
