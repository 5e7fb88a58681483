/** The host's answer to a panel's label: saved only once the audit log has it, failed with why. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import { type AuditReply, NOT_OPEN_MESSAGE, saveAudit } from '../../src/host/auditSave.js';
import { AuditWriter, parseAuditLog } from '../../src/io/auditLog.js';
import { parseHostMessage } from '../../src/protocol.js';

const event = stampEvent(
  { type: 'stepRating', sample: 2, step: 1, rating: -1 },
  new Date('2026-11-28T10:00:00Z'),
);
const request = { runId: 'run-1', requestId: 'p1-7', event };
const by = { annotator: 'ana' };
const saved = { ...event, annotator: 'ana' };

describe('saving a label for a panel', () => {
  test('the answer waits for the append and names the request', async () => {
    let finish: () => void = () => {};
    const appended: AuditEvent[] = [];
    const target = {
      runId: 'run-1',
      append: (e: AuditEvent) =>
        new Promise<void>((resolve) => {
          appended.push(e);
          finish = resolve;
        }),
    };
    let reply: AuditReply | undefined;
    const answered = saveAudit(request, target, by).then((r) => {
      reply = r;
    });
    // However many turns pass, no answer while the append is still open.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reply, undefined);
    assert.deepEqual(appended, [saved]);
    finish();
    await answered;
    assert.deepEqual(reply, { type: 'audit/saved', runId: 'run-1', requestId: 'p1-7' });
    assert.deepEqual(parseHostMessage(reply), reply, 'the answer is a valid host message');
  });

  test('a failed append is answered failed, with the reason and the request', async () => {
    const reply = await saveAudit(
      request,
      {
        runId: 'run-1',
        append: () => Promise.reject(new Error('ENOSPC: no space left on device')),
      },
      by,
    );
    assert.deepEqual(reply, {
      type: 'audit/failed',
      runId: 'run-1',
      requestId: 'p1-7',
      message: 'ENOSPC: no space left on device',
    });
    assert.deepEqual(parseHostMessage(reply), reply);
  });

  test('a label for a run that is no longer open is refused, not written', async () => {
    let appended = 0;
    const append = async () => {
      appended++;
    };
    assert.deepEqual(await saveAudit({ ...request, requestId: 3 }, { runId: 'other', append }, by), {
      type: 'audit/failed',
      runId: 'run-1',
      requestId: 3,
      message: NOT_OPEN_MESSAGE,
    });
    assert.equal((await saveAudit(request, undefined, by)).type, 'audit/failed');
    assert.equal(appended, 0);
  });

  test('with the real audit writer: saved means the line is in the file; an unwritable log fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-save-'));
    const writer = new AuditWriter(join(dir, 'audits', 'run-1.jsonl'));
    const reply = await saveAudit(request, { runId: 'run-1', append: (e) => writer.append(e) }, by);
    assert.equal(reply.type, 'audit/saved');
    assert.deepEqual(parseAuditLog(readFileSync(writer.path, 'utf8')).events, [saved]);

    // A file where the audits folder should be: the log cannot be created.
    writeFileSync(join(dir, 'blocked'), '');
    const blocked = new AuditWriter(join(dir, 'blocked', 'audits', 'run-1.jsonl'));
    const failed = await saveAudit(request, { runId: 'run-1', append: (e) => blocked.append(e) }, by);
    assert.equal(failed.type, 'audit/failed');
    assert.match(
      failed.type === 'audit/failed' ? failed.message : '',
      /run-1\.jsonl: a part of the path is a file, not a folder/,
    );
  });

  test("the label carries the host's annotator, whatever the panel claimed", async () => {
    const appended: AuditEvent[] = [];
    const append = async (e: AuditEvent) => {
      appended.push(e);
    };
    const claimed = { ...event, annotator: 'mallory', adjudicated: true as const };
    await saveAudit({ ...request, event: claimed }, { runId: 'run-1', append }, by);
    await saveAudit(request, { runId: 'run-1', append }, { annotator: 'cai', adjudicated: true });
    assert.deepEqual(appended, [saved, { ...event, annotator: 'cai', adjudicated: true }]);
  });
});
