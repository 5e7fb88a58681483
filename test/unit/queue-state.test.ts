/**
 * The queue page's state (webview/queue/state.ts) in Node: keys label and advance, `e` moves to the
 * next sample, undo takes the label back and returns to its item, progress counts a label only once
 * the host has saved it, and a failed save brings the person back to the item with the reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildQueue, queueRun } from '../../src/core/auditQueue.js';
import type { QueueHostMessage, QueuePosition, QueueWebviewMessage } from '../../src/protocol.js';
import { QUEUE_KEYMAP } from '../../webview/queue/keys.js';
import { QueueState } from '../../webview/queue/state.js';
import { handRun, miniQueueShow } from '../fixtures/queueRuns.js';

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2), none of it labelled. */
function show(position: QueuePosition = { unlabelledOnly: true }): QueueHostMessage {
  return miniQueueShow({ position });
}

function press(state: QueueState, key: string): QueueWebviewMessage[] {
  return state.apply(QUEUE_KEYMAP[key]!).post;
}

const labels = (posted: QueueWebviewMessage[]) =>
  posted.filter((m): m is Extract<QueueWebviewMessage, { type: 'queue/label' }> => m.type === 'queue/label');

test('a rating key labels the item and shows the next; the count grows once saved', () => {
  const state = new QueueState('t');
  state.receive(show());
  assert.equal(state.current()?.key, 'r#0#0');
  const posted = labels(press(state, '1'));
  assert.equal(posted.length, 1);
  assert.deepEqual(
    {
      type: posted[0]!.event.type,
      sample: posted[0]!.event.sample,
      rating: (posted[0]!.event as { rating: number }).rating,
    },
    { type: 'stepRating', sample: 0, rating: -1 },
  );
  assert.equal(state.current()?.key, 'r#1#0');
  assert.equal(state.savedLabelled(), 0, 'not on disk yet');
  assert.equal(state.pendingCount(), 1);
  state.receive({ type: 'queue/saved', runId: 'r', requestId: posted[0]!.requestId });
  assert.equal(state.savedLabelled(), 1);
  assert.equal(state.pendingCount(), 0);
});

test('e marks the first error and moves on to the next sample', () => {
  const state = new QueueState('t');
  state.receive(show({ unlabelledOnly: false }));
  const posted = labels(press(state, 'e'));
  assert.equal(posted[0]!.event.type, 'firstError');
  assert.equal((posted[0]!.event as { step: number }).step, 0);
  // r#1#0 is the other sample; r#0#1 and r#0#2 (same sample) are skipped.
  assert.equal(state.current()?.key, 'r#1#0');
  // With labelled items shown too, a rating goes on in order: sample 0's later steps, settled by its
  // first error, then the end.
  press(state, '3');
  assert.equal(state.current()?.key, 'r#0#1');
  press(state, 'e');
  assert.equal(state.current(), undefined);
});

test('undo takes the label back and returns to its item', () => {
  const state = new QueueState('t');
  state.receive(show());
  press(state, '3');
  assert.equal(state.current()?.key, 'r#1#0');
  const posted = labels(press(state, 'u'));
  assert.equal((posted[0]!.event as { rating: number | null }).rating, null);
  assert.equal(state.current()?.key, 'r#0#0');
  assert.equal(state.labels.get('r')?.[0]?.steps[0]?.rating, undefined);
  // Nothing left to undo: the key does nothing.
  assert.deepEqual(labels(press(state, 'u')), []);
});

test('skip and back move without labelling', () => {
  const state = new QueueState('t');
  state.receive(show());
  assert.deepEqual(labels(press(state, 'n')), []);
  assert.equal(state.current()?.key, 'r#1#0');
  press(state, 'n');
  assert.equal(state.current()?.key, 'r#0#1');
  press(state, 'k');
  assert.equal(state.current()?.key, 'r#1#0');
});

test('a failed save brings the item back with the reason, and the same key retries', () => {
  const state = new QueueState('t');
  state.receive(show());
  const [first] = labels(press(state, '1'));
  press(state, '2');
  assert.equal(state.current()?.key, 'r#0#1');
  state.receive({ type: 'queue/failed', runId: 'r', requestId: first!.requestId, message: 'disk full' });
  assert.equal(state.current()?.key, 'r#0#0');
  assert.equal(state.failures()[0]?.message, 'disk full');
  assert.equal(state.savedLabelled(), 0);
  const again = labels(press(state, '1'));
  assert.equal(again.length, 1, 'the same rating is posted again');
  state.receive({ type: 'queue/saved', runId: 'r', requestId: again[0]!.requestId });
  assert.deepEqual(state.failures(), []);
});

test('a label already given is not posted again; resume skips labelled items', () => {
  const state = new QueueState('t');
  const message = show({ unlabelledOnly: true, key: 'r#0#0' });
  if (message.type === 'queue/show')
    message.events = {
      r: [
        {
          type: 'stepRating',
          sample: 0,
          step: 0,
          rating: 1,
          schemaVersion: 1,
          at: '2026-11-28T10:00:00.000Z',
        },
      ],
    };
  state.receive(message);
  assert.equal(state.current()?.key, 'r#1#0', 'the saved position is labelled: the next one');
  assert.equal(state.savedLabelled(), 1);
  press(state, 'k');
  assert.equal(state.current()?.key, 'r#0#0');
  assert.deepEqual(labels(press(state, '3')), []);
});

test('another annotator: their labels and their place; answers for the first one change nothing', () => {
  const state = new QueueState('t');
  state.receive(show());
  const [pending] = labels(press(state, '3'));
  const other = show({ unlabelledOnly: true });
  if (other.type === 'queue/show') other.annotator = 'bob';
  state.receive(other);
  assert.equal(state.annotator, 'bob');
  assert.equal(state.current()?.key, 'r#0#0', 'bob starts at the top: he has labelled nothing');
  assert.equal(state.labels.get('r')?.[0]?.steps[0]?.rating, undefined, "ann's unsaved label is not bob's");
  assert.equal(state.pendingCount(), 0);
  // The answer to ann's request arrives late: it marks nothing of bob's.
  state.receive({ type: 'queue/saved', runId: 'r', requestId: pending!.requestId });
  assert.equal(state.savedLabelled(), 0);
  // And bob's own labels are tracked apart.
  const [mine] = labels(press(state, '1'));
  assert.notEqual(mine!.requestId, pending!.requestId);
});

test('the queue read again (back in sight) keeps the item shown, back and undo', () => {
  const state = new QueueState('t');
  state.receive(show());
  const [first] = labels(press(state, '3'));
  state.receive({ type: 'queue/saved', runId: 'r', requestId: first!.requestId });
  const again = show();
  if (again.type === 'queue/show') again.events = { r: [first!.event] };
  state.receive(again);
  assert.equal(state.current()?.key, 'r#1#0');
  assert.equal(state.savedLabelled(), 1);
  const [undone] = labels(press(state, 'u'));
  assert.equal((undone!.event as { rating: number | null }).rating, null);
  assert.equal(state.current()?.key, 'r#0#0');
});

test('the page asks for the runs of the items ahead, once each, and shows an item once its run is here', () => {
  const runs = (ids: string[]) =>
    ids.map((id) => ({
      id,
      problem: `Problem ${id}`,
      reference: '1',
      samples: [0, 1].map((index) => ({
        index,
        steps: ['a', 'b'],
        answer: '1',
        verdicts: {
          self: { scores: [1, 1], firstError: -1, threshold: 0.5 },
          prm: { scores: [0.1, 0.1], firstError: 0, threshold: 0.5 },
        },
      })),
    }));
  const items = ['a', 'b', 'c', 'd'].flatMap((run) =>
    [0, 1].map((sample) => ({
      key: `${run}#${sample}#0`,
      run,
      sample,
      step: 0,
      prm: 'prm',
      prms: ['prm'],
      firstErrorMismatch: true,
      strength: 0.9,
    })),
  );
  const state = new QueueState('t');
  const shown = state.receive({
    type: 'queue/show',
    dataset: 'lazy',
    annotator: 'ann',
    items,
    runs: runs(['a']),
    events: {},
    others: [],
    choices: { prms: ['prm'], subsets: [] },
    position: { unlabelledOnly: true },
    rubric: { text: '', source: 'default' },
    source: { kind: 'workspaceRuns' },
  });
  // a is here; b, c, d are asked for in queue order, together.
  assert.deepEqual(
    shown.post.filter((m) => m.type === 'queue/needRuns'),
    [{ type: 'queue/needRuns', ids: ['b', 'c', 'd'] }],
  );
  assert.ok(state.currentRun());
  // Moving on before they arrive: nothing asked twice, the item waits for its run.
  assert.deepEqual(
    press(state, '3').filter((m) => m.type === 'queue/needRuns'),
    [],
  );
  press(state, '3');
  assert.equal(state.current()?.run, 'b');
  assert.equal(state.currentRun(), undefined);
  state.receive({ type: 'queue/runs', runs: runs(['b', 'c', 'd']) });
  assert.equal(state.currentRun()?.id, 'b');
});

/** show() with a second problem, r2, whose one item is a score disagreement. */
function showTwo(): QueueHostMessage {
  const message = show();
  if (message.type !== 'queue/show') return message;
  const input = {
    run: handRun({
      id: 'r2',
      samples: [{ self: { scores: [1, 0.2, 0.9], firstError: 1 }, prms: { prm: [1, 0.1, 0.1] } }],
    }),
  };
  const items = buildQueue([input]);
  return { ...message, items: [...message.items, ...items], runs: [...message.runs, queueRun(input, items)] };
}

test('g switches the order, strongest first ↔ problem by problem, and asks for it at the item shown', () => {
  const state = new QueueState('t');
  state.receive(showTwo());
  press(state, 'n');
  const shown = state.current()?.key;
  const asked = () =>
    press(state, 'g').filter(
      (m): m is Extract<QueueWebviewMessage, { type: 'queue/filter' }> => m.type === 'queue/filter',
    );
  const [grouped] = asked();
  assert.deepEqual([grouped?.position.order, grouped?.position.key], ['problem', shown]);
  const [back] = asked();
  assert.equal(back?.position.order, 'strength');
  assert.equal(labels(press(state, 'g')).length, 0, 'g labels nothing');
});

test('g on a queue of one problem asks for nothing and says why', () => {
  const state = new QueueState('t');
  state.receive(show());
  assert.deepEqual(press(state, 'g'), []);
  assert.match(state.lastAction, /one problem, so the order stays/);
});
