/**
 * The journal of a problem in progress (src/io/runJournal.ts): what a kill leaves behind is replayed,
 * a torn last line is left out and counted, and never swallows the line appended after it.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Sample } from '../../src/core/schemas.js';
import { JournalWriter, readJournal } from '../../src/io/runJournal.js';

const dir = mkdtempSync(join(tmpdir(), 'steplens-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sample = (index: number): Sample => ({
  index,
  text: `solution ${index}`,
  steps: [`solution ${index}`],
  answer: `${index}`,
  judgements: {},
});

test('a line torn by a kill is left out and counted; the next line appended still reads', async () => {
  const path = join(dir, 'torn.journal.jsonl');
  writeFileSync(path, `${JSON.stringify({ type: 'sample', sample: sample(0) })}\n`);
  // What SIGKILL in the middle of a write leaves: half a line, no newline.
  appendFileSync(path, JSON.stringify({ type: 'sample', sample: sample(1) }).slice(0, 30));
  const writer = await JournalWriter.open(path);
  writer.append({ type: 'sample', sample: sample(2) });
  writer.append({
    type: 'judgement',
    sample: 2,
    judge: 'self',
    judgement: { stepScores: [1], firstError: -1 },
  });
  await writer.close();
  const replayed = await readJournal(path);
  assert.deepEqual(
    replayed.samples.map((entry) => entry.index),
    [0, 2],
  );
  assert.equal(replayed.unreadable, 1);
  assert.deepEqual(replayed.samples[1]!.judgements.self, { stepScores: [1], firstError: -1 });
  // The torn fragment got its own line end; nothing else was touched.
  assert.equal(readFileSync(path, 'utf8').split('\n').length, 5);
});

test('later lines win; usage adds up; the problem hash is kept; a missing journal is empty', async () => {
  const path = join(dir, 'replay.journal.jsonl');
  const writer = await JournalWriter.open(path);
  writer.append({ type: 'problem', hash: 'abc' });
  writer.append({ type: 'sample', sample: { ...sample(0), error: 'HTTP 500' } });
  writer.append({ type: 'usage', usage: { promptTokens: 10, completionTokens: 5 } });
  writer.append({ type: 'sample', sample: sample(0) });
  writer.append({ type: 'usage', usage: { promptTokens: 1, completionTokens: 2 } });
  await writer.close();
  const replayed = await readJournal(path);
  assert.equal(replayed.samples[0]!.error, undefined);
  assert.deepEqual(replayed.samplingUsage, { promptTokens: 11, completionTokens: 7 });
  assert.equal(replayed.problemHash, 'abc');
  assert.deepEqual(await readJournal(join(dir, 'none.jsonl')), { samples: [], unreadable: 0 });
});
