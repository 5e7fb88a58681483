/** Stream plumbing shared by the CLI's batch modes: JSONL in, JSONL out, one line per line. */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { parseJson } from '../core/json.js';

/** Wrong use of the command line: shown as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface InputLine<T> {
  value: T;
  line: number;
}

/** Reads non-blank JSONL lines and validates each; the first bad line stops with its line number. */
export async function* readJsonLines<T>(
  input: Readable,
  schema: z.ZodType<T>,
  source = 'stdin',
): AsyncGenerator<InputLine<T>> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = parseJson(text);
    } catch (error) {
      throw jsonInputError({ file: source, line }, error);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw inputErrorFromZod({ file: source, line }, parsed.error);
    yield { value: parsed.data, line };
  }
}

/** Buffers output lines and honours back-pressure, so large batches stay fast and bounded. */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly output: Writable) {}

  async write(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.output.write(chunk)) await once(this.output, 'drain');
  }
}
