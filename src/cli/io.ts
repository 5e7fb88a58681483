/** Stream plumbing shared by the CLI's batch modes: JSONL in, JSONL out, one line per line. */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { InputError, inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { type Utf8Line, Utf8LineSplitter } from '../core/text.js';

/** Wrong use of the command line: shown as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface InputLine<T> {
  value: T;
  line: number;
}

/**
 * Lines of UTF-8 text from a byte stream, CR LF or LF; a leading byte-order mark is dropped, and a
 * line that is not UTF-8 stops the read with its line and byte offset (never a silent U+FFFD).
 */
export async function* textLines(
  input: Readable,
  source = 'stdin',
): AsyncGenerator<{ text: string; line: number }> {
  const splitter = new Utf8LineSplitter();
  const checked = (line: Utf8Line) => {
    if (line.text === undefined)
      throw new InputError({ file: source, line: line.line }, `invalid UTF-8 at byte ${line.invalidAt}`);
    return { text: line.text, line: line.line };
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    for (const line of splitter.push(bytes)) yield checked(line);
  }
  for (const line of splitter.end()) yield checked(line);
}

/** Reads non-blank JSONL lines and validates each; the first bad line stops with its line number. */
export async function* readJsonLines<T>(
  input: Readable,
  schema: z.ZodType<T>,
  source = 'stdin',
): AsyncGenerator<InputLine<T>> {
  for await (const { text, line } of textLines(input, source)) {
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
