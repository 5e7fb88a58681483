/**
 * The journal of a run in progress: one JSONL line per finished sample and per finished judgement,
 * appended the moment it arrives. A process killed at any moment (SIGKILL included: the lines are in
 * the kernel once written) leaves a journal that a rerun replays, so only the requests that were in
 * flight are made again. A line torn by the kill is left out and counted; the run file written when
 * the problem finishes replaces the journal.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { sumUsage } from '../core/dataset.js';
import { JudgementSchema, type Sample, SampleSchema, UsageSchema } from '../core/schemas.js';

const JournalLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sample'), sample: SampleSchema }),
  z.object({
    type: z.literal('judgement'),
    sample: z.number().int().min(0),
    judge: z.string(),
    judgement: JudgementSchema,
  }),
  /** The tokens of a sampling request that served several samples. */
  z.object({ type: z.literal('usage'), usage: UsageSchema }),
  /** What the journal is about: a hash of the problem's text, so an edited problem never replays old answers. */
  z.object({ type: z.literal('problem'), hash: z.string() }),
]);
export type JournalLine = z.infer<typeof JournalLineSchema>;

export interface Replayed {
  /** Finished samples with the judgements they got, by index. */
  samples: Sample[];
  /** Lines that could not be read (torn by a kill, or damaged): their work is done again. */
  unreadable: number;
  /** Sampling tokens counted for the run as a whole (requests that served several samples). */
  samplingUsage?: z.infer<typeof UsageSchema>;
  /** The problem hash the journal was written for, when it says. */
  problemHash?: string;
}

/** Replays a journal; a missing file is an empty one. */
export async function readJournal(path: string): Promise<Replayed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { samples: [], unreadable: 0 };
    throw error;
  }
  const samples = new Map<number, Sample>();
  let unreadable = 0;
  let samplingUsage: z.infer<typeof UsageSchema> | undefined;
  let problemHash: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let parsed: JournalLine;
    try {
      parsed = JournalLineSchema.parse(JSON.parse(line));
    } catch {
      unreadable += 1;
      continue;
    }
    if (parsed.type === 'sample') samples.set(parsed.sample.index, { ...parsed.sample, judgements: {} });
    else if (parsed.type === 'usage') samplingUsage = sumUsage(samplingUsage, parsed.usage);
    else if (parsed.type === 'problem') problemHash = parsed.hash;
    else {
      const sample = samples.get(parsed.sample);
      if (sample) sample.judgements[parsed.judge] = parsed.judgement;
      else unreadable += 1;
    }
  }
  return {
    samples: [...samples.values()].sort((a, b) => a.index - b.index),
    unreadable,
    ...(samplingUsage ? { samplingUsage } : {}),
    ...(problemHash !== undefined ? { problemHash } : {}),
  };
}

/**
 * An open journal: lines are written in the order they were appended. Lines appended while a write
 * is under way go out together in the next write, so a burst (64 samples ending at once, their
 * judgements) costs a few writes, not one per line; each line is still written as soon as the
 * writes before it are done.
 */
export class JournalWriter {
  private chain: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  /** Lines appended and not yet handed to a write; a write of them is chained when non-empty. */
  private pending: string[] = [];
  /** Writes made (each may carry several lines). */
  writes = 0;

  private constructor(private readonly handle: import('node:fs/promises').FileHandle) {}

  static async open(path: string): Promise<JournalWriter> {
    const handle = await open(path, 'a+');
    const writer = new JournalWriter(handle);
    // A line torn by a kill must not swallow the first line appended after it: end it first.
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.write('\n');
    }
    return writer;
  }

  append(line: JournalLine): void {
    this.pending.push(`${JSON.stringify(line)}\n`);
    // A write of the pending lines is already chained: this line goes with them.
    if (this.pending.length > 1) return;
    this.chain = this.chain.then(
      () => {
        const text = this.pending.join('');
        this.pending = [];
        this.writes += 1;
        return this.handle.write(text);
      },
      (error: unknown) => {
        this.failure ??= error;
        this.pending = [];
      },
    );
  }

  /** Waits for every line; throws the first write failure (a full disk must not pass silently). */
  async close(): Promise<void> {
    await this.chain.catch((error: unknown) => {
      this.failure ??= error;
    });
    await this.handle.close();
    if (this.failure) throw this.failure;
  }
}

/** Removes a journal (or a run file it replaces); a missing file is fine. */
export async function removeJournal(path: string): Promise<void> {
  await rm(path, { force: true });
}
