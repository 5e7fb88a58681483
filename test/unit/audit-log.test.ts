import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type AuditChange, replayAudit, stampEvent } from '../../src/core/audit.js';
import { InputError } from '../../src/core/errors.js';
import { AuditWriter, auditPathForRun, readAuditLog } from '../../src/io/auditLog.js';

const at = new Date('2026-11-28T10:00:00Z');
const rating = (step: number, value: -1 | 0 | 1): AuditChange => ({
  type: 'stepRating',
  sample: 0,
  step,
  rating: value,
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-audit-'));
  return join(dir, '.steplens', 'audits', 'run-a.jsonl');
}

async function appendAll(writer: AuditWriter, changes: AuditChange[]): Promise<void> {
  for (const change of changes) await writer.append(stampEvent(change, at));
}

describe('the audit log on disk', () => {
  test('after a crash mid-append, the next label starts on a fresh line: no label is lost', async () => {
    const path = tempLog();
    await appendAll(
      new AuditWriter(path),
      Array.from({ length: 10 }, (_, step) => rating(step, 1)),
    );
    // What a SIGKILL in the middle of writing a long note leaves behind: half a line, no newline.
    appendFileSync(
      path,
      '{"type":"note","schemaVersion":1,"at":"2026-11-28T10:00:00.000Z","sample":0,"text":"a long no',
    );
    // The panel opens again (a new writer, as after a restart) and the user labels three more steps.
    await appendAll(new AuditWriter(path), [rating(10, -1), rating(11, 0), rating(12, 1)]);

    const log = await readAuditLog(path);
    assert.equal(log.events.length, 13);
    assert.deepEqual(log.skipped, [{ line: 11, reason: 'not JSON (a write cut short?)' }]);
    const labels = replayAudit(log.events);
    assert.deepEqual(
      Object.keys(labels[0]!.steps).map(Number),
      Array.from({ length: 13 }, (_, i) => i),
    );
    assert.equal(labels[0]!.steps[10]!.rating, -1);
  });

  test('appends, never overwrites: a second writer on the same log keeps the first one’s labels', async () => {
    const path = tempLog();
    await appendAll(new AuditWriter(path), [rating(0, 1), rating(1, -1)]);
    await appendAll(new AuditWriter(path), [rating(2, 0)]);
    const text = readFileSync(path, 'utf8');
    assert.equal(text.split('\n').length, 4, 'three lines, each ending in a newline');
    assert.deepEqual(
      (await readAuditLog(path)).events.map((event) => (event.type === 'stepRating' ? event.step : -1)),
      [0, 1, 2],
    );
  });

  test('a failed write is reported to its caller, names the file, and does not block the next label', async () => {
    const path = tempLog();
    mkdirSync(path, { recursive: true }); // the log's path is taken by a folder: every write fails
    const writer = new AuditWriter(path);
    await assert.rejects(writer.append(stampEvent(rating(0, 1), at)), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /run-a\.jsonl.*is a directory/);
      return true;
    });
    rmSync(path, { recursive: true });
    await writer.append(stampEvent(rating(1, -1), at));
    const log = await readAuditLog(path);
    assert.equal(log.events.length, 1);
    assert.deepEqual(log.events[0], stampEvent(rating(1, -1), at));
  });

  test('a byte-order mark, CR LF endings and a line of broken UTF-8 cost nothing but that line', async () => {
    const path = tempLog();
    mkdirSync(join(path, '..'), { recursive: true });
    const line = (step: number) => JSON.stringify(stampEvent(rating(step, 1), at));
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${line(0)}\r\n`),
        Buffer.from('{"type":"note","text":"caf'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\n'),
        Buffer.from(`${line(1)}\n`),
      ]),
    );
    const log = await readAuditLog(path);
    assert.equal(log.events.length, 2);
    const offset = 3 + line(0).length + 2 + '{"type":"note","text":"caf'.length;
    assert.deepEqual(log.skipped, [{ line: 2, reason: `invalid UTF-8 at byte ${offset}` }]);
  });

  test('a log the user named must exist; a folder in its place is named, not read as empty', async () => {
    const path = tempLog();
    assert.deepEqual(await readAuditLog(path), { events: [], skipped: [] });
    await assert.rejects(readAuditLog(path, { required: true }), /run-a\.jsonl: no such file/);
    mkdirSync(path, { recursive: true });
    await assert.rejects(readAuditLog(path), /run-a\.jsonl: is a directory/);
  });

  test('a run id can never lead the log out of the audits folder', () => {
    const runPath = join('/ws', '.steplens', 'runs', 'r.json');
    assert.equal(auditPathForRun(runPath, 'r'), join('/ws', '.steplens', 'audits', 'r.jsonl'));
    assert.throws(() => auditPathForRun(runPath, '../../../../tmp/x/evil'), /leaves its folder/);
    assert.throws(() => auditPathForRun(runPath, '..'), /leaves its folder/);
  });
});
