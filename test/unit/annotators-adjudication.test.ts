/**
 * Adjudication: the items listed (open first, with their context), what a key press on the page
 * turns into, that an item counts as settled only once the host says saved, that the saved event
 * is adjudicated under the host's annotator (the real writer on a temp dir), and that the export
 * then uses the adjudicated label and says so.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { adjudicationItems, PROBLEM_SHOWN_CHARS } from '../../src/core/adjudication.js';
import { type AuditChange, stampEvent } from '../../src/core/audit.js';
import { processBenchRows } from '../../src/core/export.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import { saveAdjudication } from '../../src/host/adjudicateSave.js';
import { type AuditRequest, saveAudit } from '../../src/host/auditSave.js';
import { AuditWriter, auditPathForRun, parseAuditLog } from '../../src/io/auditLog.js';
import { loadLabeledRuns } from '../../src/io/exportFiles.js';
import { writeRun } from '../../src/io/runFiles.js';
import type { AdjudicationItemMessage } from '../../src/protocol.js';
import { parseAdjudicateHostMessage } from '../../src/protocol.js';
import { Adjudication, keyAction } from '../../webview/adjudicate/model.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-29T10:00:00Z');
const by = (annotator: string, change: AuditChange, adjudicated = false): AuditEvent => ({
  ...stampEvent(change, at),
  annotator,
  ...(adjudicated ? { adjudicated: true as const } : {}),
});
const rate = (annotator: string, sample: number, step: number, rating: -1 | 0 | 1, adjudicated = false) =>
  by(annotator, { type: 'stepRating', sample, step, rating }, adjudicated);
const firstError = (annotator: string, sample: number, step: number, adjudicated = false) =>
  by(annotator, { type: 'firstError', sample, step }, adjudicated);

/** ana and ben: disagree on sample 0's step 1 rating, on sample 1's first error, and on sample 2's step 0 (settled by cai). */
const events: AuditEvent[] = [
  rate('ana', 0, 0, 1),
  rate('ben', 0, 0, 1),
  rate('ana', 0, 1, 0),
  rate('ben', 0, 1, 1),
  firstError('ana', 1, 0),
  firstError('ben', 1, -1),
  rate('ana', 2, 0, -1),
  rate('ben', 2, 0, 0),
  rate('cai', 2, 0, -1, true),
];

function items(): AdjudicationItemMessage[] {
  return adjudicationItems([{ run: smallRun(), events }]);
}

describe('the adjudication items', () => {
  test('every disagreement, open ones first, each with its steps, judges and problem', () => {
    const list = items();
    assert.deepEqual(
      list.map((item) => [item.sample, item.kind, item.step, item.adjudicated]),
      [
        [0, 'rating', 1, undefined],
        [1, 'firstError', 0, undefined],
        [2, 'rating', 0, -1],
      ],
    );
    const [first] = list;
    assert.deepEqual(first?.values, [
      { annotator: 'ana', value: 0 },
      { annotator: 'ben', value: 1 },
    ]);
    assert.deepEqual(first?.steps, ['6 × 7 = 42', '=SUM(A1) so, "42"']);
    assert.deepEqual(
      first?.judges.map((judge) => [judge.judge, judge.scores[1]]),
      [
        ['self', 1],
        ['qwen-prm', 0.95],
      ],
    );
    assert.equal(first?.problem, 'What is 6 × 7?');
    assert.equal(first?.runId, 'run-a');
    const message = { type: 'adjudicate/items', title: 't', annotator: 'cai', items: list };
    assert.deepEqual(parseAdjudicateHostMessage(message), message, 'the items are a valid host message');
  });

  test('a settled item goes after every open one, whatever its sample', () => {
    const settledFirst = [...events, rate('cai', 0, 1, 1, true)];
    assert.deepEqual(
      adjudicationItems([{ run: smallRun(), events: settledFirst }]).map((item) => [
        item.sample,
        item.adjudicated,
      ]),
      [
        [1, undefined],
        [0, 1],
        [2, -1],
      ],
    );
  });

  test('a long problem is cut for the view', () => {
    const run = smallRun();
    run.problem.text = 'x'.repeat(5000);
    const [item] = adjudicationItems([{ run, events }]);
    assert.equal(item?.problem.length, PROBLEM_SHOWN_CHARS);
    assert.ok(item?.problem.endsWith('…'));
  });
});

describe('what a key press does on the adjudication page', () => {
  const [ratingItem, firstErrorItem] = items();

  test('rating items: the panel rating keys and a/b take a value; first-error keys do nothing', () => {
    assert.deepEqual(keyAction('1', ratingItem, 1), { kind: 'settle', value: -1 });
    assert.deepEqual(keyAction('2', ratingItem, 1), { kind: 'settle', value: 0 });
    assert.deepEqual(keyAction('3', ratingItem, 1), { kind: 'settle', value: 1 });
    assert.deepEqual(keyAction('a', ratingItem, 1), { kind: 'settle', value: 0 });
    assert.deepEqual(keyAction('b', ratingItem, 1), { kind: 'settle', value: 1 });
    assert.equal(keyAction('c', ratingItem, 1), undefined, 'no third annotator');
    assert.equal(keyAction('e', ratingItem, 1), undefined);
    assert.deepEqual(keyAction('j', ratingItem, 1), { kind: 'move', delta: 1 });
    assert.deepEqual(keyAction('ArrowUp', ratingItem, 1), { kind: 'move', delta: -1 });
  });

  test('first-error items: a/b take a first error, e names the shown step, 0 says no error', () => {
    assert.deepEqual(keyAction('a', firstErrorItem, 1), { kind: 'settle', value: 0 });
    assert.deepEqual(keyAction('b', firstErrorItem, 1), { kind: 'settle', value: -1 });
    assert.deepEqual(keyAction('e', firstErrorItem, 1), { kind: 'settle', value: 1 });
    assert.deepEqual(keyAction('0', firstErrorItem, 1), { kind: 'settle', value: -1 });
    assert.equal(keyAction('3', firstErrorItem, 1), undefined, 'a rating is no first error');
    assert.deepEqual(keyAction('l', firstErrorItem, 1), { kind: 'shownStep', delta: 1 });
  });
});

describe('the adjudication page state', () => {
  const show = (state: Adjudication) => state.show({ title: 'd', annotator: 'cai', items: items() });

  test('a settle posts the label; saved only on the host answer, then the next open item', () => {
    const state = new Adjudication('p');
    show(state);
    assert.equal(state.progress(), '1 of 3 settled');
    const request = state.press('3', at);
    assert.deepEqual(request, {
      requestId: 'p-1',
      runId: 'run-a',
      event: stampEvent({ type: 'stepRating', sample: 0, step: 1, rating: 1 }, at),
    });
    assert.equal(state.progress(), '1 of 3 settled', 'not settled before the host answers');
    assert.equal(state.focus, 0);
    assert.equal(state.press('1', at), undefined, 'one adjudication in flight at a time');
    assert.equal(state.saved('p-1'), true);
    assert.equal(state.progress(), '2 of 3 settled');
    assert.equal(state.focus, 1, 'on to the first-error item');
    assert.equal(state.status.kind, 'saved');
    // The shown step starts at the earliest first error named; l moves it, e names it.
    assert.equal(state.shownStep, 0);
    state.press('l');
    const second = state.press('e', at);
    assert.deepEqual(second?.event, stampEvent({ type: 'firstError', sample: 1, step: 1 }, at));
  });

  test('a failed save is shown, keeps the item open and in focus, and lets it be tried again', () => {
    const state = new Adjudication('p');
    show(state);
    const request = state.press('a', at);
    assert.ok(request);
    assert.equal(state.failed(request.requestId, 'EACCES: permission denied'), true);
    assert.equal(state.focus, 0);
    assert.equal(state.current?.adjudicated, undefined);
    assert.equal(state.progress(), '1 of 3 settled · 1 not saved');
    assert.deepEqual(state.status, {
      kind: 'failed',
      text: 'not saved problem p, sample 0, step 1: 0 (EACCES: permission denied). It stays open: press the key again to retry.',
    });
    assert.equal(state.isFailed(state.current!), true);
    const retry = state.press('a', at);
    assert.ok(retry, 'another try is posted');
    state.saved(retry.requestId);
    assert.equal(state.isFailed(state.items[0]!), false, 'a later save clears the mark');
  });

  test('an undo that is not saved says so on its item, and u tries it again', () => {
    const state = new Adjudication('p');
    show(state);
    const settle = state.press('3', at);
    assert.ok(settle);
    state.saved(settle.requestId);
    const undo = state.press('u', at);
    assert.ok(undo);
    assert.equal(state.failed(undo.requestId, 'EROFS: read-only file system'), true);
    assert.equal(state.focus, 0, 'on the item undone');
    assert.deepEqual(state.status, {
      kind: 'failed',
      text: 'not undone problem p, sample 0, step 1 (EROFS: read-only file system). It stays settled as +1: press u again to retry.',
    });
    state.press('j');
    assert.equal(state.status.kind, 'idle', 'not shown with another item');
    const again = state.press('u', at);
    assert.deepEqual(again?.event, undo.event, 'the same withdrawal, posted again');
    state.saved(again!.requestId);
    assert.equal(state.items[0]?.adjudicated, undefined);
    assert.equal(state.isFailed(state.items[0]!), false);
  });

  test('a fresh list from the host keeps the order and the item in focus', () => {
    const state = new Adjudication('p');
    show(state);
    state.press('j');
    const fresh = items();
    fresh.reverse();
    fresh[1]!.adjudicated = 0;
    state.show({ title: 'd', annotator: 'cai', items: fresh });
    assert.deepEqual(
      state.items.map((item) => item.sample),
      [0, 1, 2],
    );
    assert.equal(state.focus, 1);
    assert.equal(state.current?.adjudicated, 0);
  });
});

describe('an adjudication on disk, and the export after it', () => {
  async function datasetFolder() {
    const folder = mkdtempSync(join(tmpdir(), 'steplens-adjudicate-'));
    const run = smallRun();
    const runPath = join(folder, 'runs', `${run.id}.json`);
    await writeRun(runPath, run);
    const writer = new AuditWriter(auditPathForRun(runPath, run.id));
    const append = (event: AuditEvent) => writer.append(event);
    const runs = new Map([[run.id, { runId: run.id, path: runPath }]]);
    /** The adjudication view's save, to the real writer of the run's log. */
    const adjudicate = (request: AuditRequest, annotator: string) =>
      saveAdjudication(request, runs, (_run, event) => append(event), annotator);
    return { runPath, run, append, adjudicate };
  }

  test("the saved event is adjudicated and carries the host's annotator, whatever the page claimed", async () => {
    const { runPath, run, adjudicate } = await datasetFolder();
    const claimed = { ...stampEvent({ type: 'firstError', sample: 1, step: 0 }, at), annotator: 'mallory' };
    const reply = await adjudicate({ runId: run.id, requestId: 'p-1', event: claimed }, 'cai');
    assert.deepEqual(reply, { type: 'audit/saved', runId: run.id, requestId: 'p-1' });
    const log = parseAuditLog(readFileSync(auditPathForRun(runPath, run.id), 'utf8'));
    assert.deepEqual(log.events, [{ ...claimed, annotator: 'cai', adjudicated: true }]);
  });

  test('a run the view was not opened on is refused, and nothing is written', async () => {
    const { runPath, run, adjudicate } = await datasetFolder();
    const event = stampEvent({ type: 'firstError', sample: 1, step: 0 }, at);
    const reply = await adjudicate({ runId: 'other-run', requestId: 'p-1', event }, 'cai');
    assert.equal(reply.type, 'audit/failed');
    assert.equal(existsSync(auditPathForRun(runPath, run.id)), false);
  });

  test('processbench rows use the adjudicated first error and say "adjudicated by cai"', async () => {
    const { runPath, run, append, adjudicate } = await datasetFolder();
    const own = (annotator: string, event: AuditEvent) =>
      saveAudit({ runId: run.id, requestId: 'x', event }, { runId: run.id, append }, { annotator });
    await own('ana', stampEvent({ type: 'firstError', sample: 1, step: 0 }, at));
    await own('ben', stampEvent({ type: 'firstError', sample: 1, step: -1 }, at));
    const before = processBenchRows(await loadLabeledRuns([runPath]));
    assert.equal(
      before.find((row) => row.id === 'run-a/1'),
      undefined,
      'a contested sample has no row until adjudicated',
    );

    // The adjudicator takes ben's value from the page: the event the page posts, saved by the host.
    const state = new Adjudication('p');
    state.show({
      title: 'd',
      annotator: 'cai',
      items: adjudicationItems([
        { run, events: parseAuditLog(readFileSync(auditPathForRun(runPath, run.id), 'utf8')).events },
      ]),
    });
    const request = state.press('b', at);
    assert.ok(request);
    const reply = await adjudicate(request, 'cai');
    assert.equal(reply.type, 'audit/saved');

    const row = processBenchRows(await loadLabeledRuns([runPath])).find((r) => r.id === 'run-a/1');
    assert.ok(row, 'the adjudicated sample is exported');
    assert.equal(row.label, -1);
    assert.equal(row.annotator, 'adjudicated by cai');
    assert.equal(row.adjudicated, true);
  });

  test("u withdraws the view's last adjudication by one more event: the log keeps both, the sample is contested again", async () => {
    const { runPath, run, append, adjudicate } = await datasetFolder();
    const own = (annotator: string, event: AuditEvent) =>
      saveAudit({ runId: run.id, requestId: 'x', event }, { runId: run.id, append }, { annotator });
    await own('ana', stampEvent({ type: 'firstError', sample: 1, step: 0 }, at));
    await own('ben', stampEvent({ type: 'firstError', sample: 1, step: -1 }, at));
    const readLog = () => parseAuditLog(readFileSync(auditPathForRun(runPath, run.id), 'utf8')).events;
    const row = async () =>
      processBenchRows(await loadLabeledRuns([runPath])).find((r) => r.id === 'run-a/1');

    const state = new Adjudication('p');
    state.show({ title: 'd', annotator: 'cai', items: adjudicationItems([{ run, events: readLog() }]) });
    assert.equal(state.press('u', at), undefined, 'nothing of this view to undo yet');
    const settle = state.press('b', at);
    assert.ok(settle);
    assert.equal((await adjudicate(settle, 'cai')).type, 'audit/saved');
    state.saved(settle.requestId);
    assert.equal((await row())?.annotator, 'adjudicated by cai');
    const settled = readLog();

    const undo = state.press('u', at);
    assert.ok(undo, 'u posts an event');
    assert.deepEqual(undo.event, stampEvent({ type: 'firstError', sample: 1, step: null }, at));
    assert.deepEqual(state.status, {
      kind: 'saving',
      text: 'undoing problem p, sample 1, first error: open again…',
    });
    const reply = await adjudicate(undo, 'cai');
    assert.equal(reply.type, 'audit/saved');
    state.saved(undo.requestId);

    // Append-only: what was written stays, the undo is one more adjudicated event by the host's annotator.
    const log = readLog();
    assert.deepEqual(log.slice(0, settled.length), settled);
    assert.deepEqual(log.slice(settled.length), [{ ...undo.event, annotator: 'cai', adjudicated: true }]);
    // Read back as the host reads it: open again, and contested (no export row) as before.
    const [item] = adjudicationItems([{ run, events: log }]);
    assert.deepEqual([item?.sample, item?.kind, item?.adjudicated], [1, 'firstError', undefined]);
    assert.equal(await row(), undefined, 'the contested sample has no row again');
    assert.equal(state.current?.adjudicated, undefined);
    assert.equal(state.progress(), '0 of 1 settled');
    assert.deepEqual(state.status, {
      kind: 'saved',
      text: 'undone problem p, sample 1, first error: open again',
    });
    assert.equal(state.press('u', at), undefined, 'one undo per adjudication');
  });
});
