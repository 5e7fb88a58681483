/**
 * The run journal's writer: lines appended in a burst go out in a few writes, in the order they were
 * appended, and all of them are replayed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JournalWriter, readJournal } from '../../src/io/runJournal.js';

const sample = (index: number) => ({
  index,
  text: `Sample ${index}.\n\nSo \\boxed{${index}}.`,
  steps: [`Sample ${index}.`, `So \\boxed{${index}}.`],
  answer: `${index}`,
  judgements: {},
});
const judgement = (index: number) => ({
  type: 'judgement' as const,
  sample: index,
  judge: 'prm',
  judgement: { stepScores: [0.9, 0.5], firstError: null, solutionScore: 0.5 },
});

test('a burst of lines is written in a few writes, in order, and replays whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-journal-'));
  try {
    const path = join(dir, 'p.journal.jsonl');
    const journal = await JournalWriter.open(path);
    // 64 samples arriving at once, then their judgements one tick at a time, then a burst again.
    for (let i = 0; i < 64; i++) journal.append({ type: 'sample', sample: sample(i) });
    for (let i = 0; i < 32; i++) {
      journal.append(judgement(i));
      await Promise.resolve();
    }
    for (let i = 32; i < 64; i++) journal.append(judgement(i));
    await journal.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 128);
    assert.deepEqual(
      lines.map((line) => {
        const parsed = JSON.parse(line) as { type: string; sample: number | { index: number } };
        return `${parsed.type} ${typeof parsed.sample === 'number' ? parsed.sample : parsed.sample.index}`;
      }),
      [
        ...Array.from({ length: 64 }, (_, i) => `sample ${i}`),
        ...Array.from({ length: 64 }, (_, i) => `judgement ${i}`),
      ],
    );
    // One write per line would be 128; lines appended while a write is under way share the next.
    assert.ok(journal.writes < 40, `${journal.writes} writes for 128 lines`);
    const replayed = await readJournal(path);
    assert.equal(replayed.unreadable, 0);
    assert.equal(replayed.samples.length, 64);
    assert.ok(replayed.samples.every((s) => s.judgements.prm?.stepScores[1] === 0.5));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
