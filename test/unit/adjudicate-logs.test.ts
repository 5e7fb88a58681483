/**
 * The adjudication view follows its runs' audit logs (src/host/adjudicateLogs.ts, on real files in
 * a temp dataset folder; the view feeds it VS Code's watcher events): a label made meanwhile in the
 * panel or the queue, or an adjudication from another window, reaches the page after a burst of
 * changes settles, read once per run; a change of another file, or of a log this view has just
 * sent (its own save), sends nothing. Timers are Node's mock timers, never the wall clock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { AdjudicationItem } from '../../src/core/adjudication.js';
import { type AuditChange, stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import { AdjudicationLogs } from '../../src/host/adjudicateLogs.js';
import { saveAdjudication } from '../../src/host/adjudicateSave.js';
import { saveAudit } from '../../src/host/auditSave.js';
import { LOG_REFRESH_DELAY_MS, LogFollower } from '../../src/host/logFollower.js';
import { AuditWriter, auditPathForRun, readAuditLog } from '../../src/io/auditLog.js';
import { writeRun } from '../../src/io/runFiles.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-29T10:00:00Z');

async function dataset() {
  const folder = mkdtempSync(join(tmpdir(), 'steplens-adjudicate-logs-'));
  const runs = ['run-a', 'run-b'].map((id) => {
    const run = smallRun();
    run.id = id;
    run.problem.id = `${id}-problem`;
    return { path: join(folder, 'runs', `${id}.json`), run };
  });
  for (const { path, run } of runs) await writeRun(path, run);
  const writers = new Map(
    runs.map(({ path, run }) => [run.id, new AuditWriter(auditPathForRun(path, run.id))]),
  );
  /** A label saved as the panel or the queue saves it, under `annotator`. */
  const label = (runId: string, annotator: string, change: AuditChange) =>
    saveAudit(
      { runId, requestId: 'x', event: stampEvent(change, at) },
      { runId, append: (event: AuditEvent) => writers.get(runId)!.append(event) },
      { annotator },
    );
  const reads: string[] = [];
  const logs = new AdjudicationLogs(
    runs,
    (path, runId) => {
      reads.push(runId);
      return readAuditLog(auditPathForRun(path, runId));
    },
    () => {},
  );
  const logOf = (runId: string) => auditPathForRun(runs.find((r) => r.run.id === runId)!.path, runId);
  return { folder, runs, writers, label, logs, reads, logOf };
}

const summary = (items: AdjudicationItem[]) =>
  items.map((item) => `${item.runId} ${item.sample} ${item.kind} ${item.step} ${item.adjudicated ?? 'open'}`);

describe('the adjudication view follows its audit logs', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test('a follower disposed hands nothing on: not a change waiting to settle, nor one queued behind a slow read', async () => {
    const log = join(tmpdir(), 'followed.jsonl');
    const handed: string[][] = [];
    let finishSlow: () => void = () => {};
    const follower = new LogFollower(new Map([[log, 'run-a']]), async (runIds) => {
      handed.push(runIds);
      if (handed.length === 1) await new Promise<void>((resolve) => (finishSlow = resolve));
      else throw new Error("a failed read is the caller's to log, never an unhandled rejection");
    });
    follower.changed(log);
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(handed.length, 1, 'the first read started');
    // The first read is under way (slow); a second change settles and waits behind it.
    follower.changed(log);
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    follower.dispose();
    finishSlow();
    await follower.idle;
    assert.deepEqual(handed, [['run-a']], 'the read queued behind the slow one was dropped');
    follower.changed(log);
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.equal(handed.length, 1, 'nothing after dispose');
  });

  test('a failed read does not stop the next one', async () => {
    const log = join(tmpdir(), 'followed.jsonl');
    let reads = 0;
    const follower = new LogFollower(new Map([[log, 'run-a']]), async () => {
      reads += 1;
      if (reads === 1) throw new Error('disk full');
    });
    follower.changed(log);
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    follower.changed(log);
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.equal(reads, 2);
  });

  test('labels from the panel or queue appear once a burst settles; one read per changed run', async () => {
    const { runs, writers, label, logs, reads, logOf, folder } = await dataset();
    await label('run-a', 'ana', { type: 'firstError', sample: 1, step: 0 });
    await label('run-a', 'ben', { type: 'firstError', sample: 1, step: -1 });
    // What the page was sent on open.
    assert.deepEqual(summary((await logs.items()).items), ['run-a 1 firstError 0 open']);
    reads.length = 0;

    const sent: AdjudicationItem[][] = [];
    const follower = logs.follow(async (items) => {
      sent.push(items);
    });
    // ben rates in the queue, ana in the panel: a disagreement on run-b's step 1, written in a burst.
    await label('run-b', 'ben', { type: 'stepRating', sample: 0, step: 1, rating: 1 });
    follower.changed(logOf('run-b'));
    await label('run-b', 'ana', { type: 'stepRating', sample: 0, step: 1, rating: -1 });
    follower.changed(logOf('run-b'));
    follower.changed(join(folder, 'audits', 'someone-else.jsonl'));
    follower.changed(join(folder, 'runs', 'run-b.json'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS - 1);
    await follower.idle;
    assert.deepEqual(sent, [], 'nothing while the burst goes on');
    follower.changed(logOf('run-b'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS - 1);
    await follower.idle;
    assert.deepEqual(sent, [], 'each change waits again');
    mock.timers.tick(1);
    await follower.idle;
    assert.equal(sent.length, 1, 'one send for the burst');
    assert.deepEqual(summary(sent[0]!), ['run-a 1 firstError 0 open', 'run-b 0 rating 1 open']);
    assert.deepEqual(reads, ['run-b'], "only the changed run's log is read, once");

    // Another window adjudicates run-b's step: shown settled. Both logs change in one burst.
    reads.length = 0;
    await saveAdjudication(
      {
        runId: 'run-b',
        requestId: 'y',
        event: stampEvent({ type: 'stepRating', sample: 0, step: 1, rating: 0 }, at),
      },
      new Map(runs.map(({ path, run }) => [run.id, { runId: run.id, path }])),
      (run, event) => writers.get(run.runId)!.append(event),
      'dee',
    );
    follower.changed(logOf('run-b'));
    follower.changed(logOf('run-a'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.deepEqual(reads.sort(), ['run-a', 'run-b']);
    assert.equal(sent.length, 2);
    assert.deepEqual(summary(sent[1]!), ['run-a 1 firstError 0 open', 'run-b 0 rating 1 0']);
    follower.dispose();
  });

  test("the view's own save, already sent, is not sent again when its log changes", async () => {
    const { runs, writers, label, logs, logOf } = await dataset();
    await label('run-a', 'ana', { type: 'firstError', sample: 1, step: 0 });
    await label('run-a', 'ben', { type: 'firstError', sample: 1, step: -1 });
    await logs.items();
    const sent: AdjudicationItem[][] = [];
    const follower = logs.follow(async (items) => {
      sent.push(items);
    });
    // The view's save, then its read of that run (what it does after every saved adjudication).
    const reply = await saveAdjudication(
      { runId: 'run-a', requestId: 'p-1', event: stampEvent({ type: 'firstError', sample: 1, step: 0 }, at) },
      new Map(runs.map(({ path, run }) => [run.id, { runId: run.id, path }])),
      (run, event) => writers.get(run.runId)!.append(event),
      'cai',
    );
    assert.equal(reply.type, 'audit/saved');
    const own = await logs.items(['run-a']);
    assert.deepEqual(summary(own.items), ['run-a 1 firstError 0 0']);
    follower.changed(logOf('run-a'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.deepEqual(sent, [], 'nothing new on disk');
    follower.dispose();
  });

  test('a log that cannot be read is reported and the next change is still followed', async () => {
    const warnings: string[] = [];
    const { runs, label, logOf } = await dataset();
    let fail = true;
    const logs = new AdjudicationLogs(
      runs,
      (path, runId) =>
        fail
          ? Promise.reject(new Error('EISDIR: illegal operation on a directory'))
          : readAuditLog(auditPathForRun(path, runId)),
      (message) => warnings.push(message),
    );
    const sent: AdjudicationItem[][] = [];
    const follower = logs.follow(async (items) => {
      sent.push(items);
    });
    follower.changed(logOf('run-a'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.match(warnings.join('\n'), /run-a: EISDIR/);
    fail = false;
    await label('run-a', 'ana', { type: 'stepRating', sample: 2, step: 0, rating: 1 });
    await label('run-a', 'ben', { type: 'stepRating', sample: 2, step: 0, rating: 0 });
    follower.changed(logOf('run-a'));
    mock.timers.tick(LOG_REFRESH_DELAY_MS);
    await follower.idle;
    assert.deepEqual(summary(sent.at(-1) ?? []), ['run-a 2 rating 0 open']);
    follower.dispose();
  });
});
