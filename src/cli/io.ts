/** Stream plumbing shared by the CLI's batch modes: JSONL in, JSONL out, one line per line. */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { InputError, inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { firstInvalidUtf8Byte, hasUtf8Bom } from '../core/text.js';

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
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let line = 0;
  const decodeLine = (bytes: Buffer, offset: number): string => {
    line += 1;
    const body = line === 1 && hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
    try {
      return decoder.decode(body).replace(/\r$/, '');
    } catch {
      const at = offset + (bytes.length - body.length) + firstInvalidUtf8Byte(body);
      throw new InputError({ file: source, line }, `invalid UTF-8 at byte ${at}`);
    }
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let buffer = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    let start = 0;
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
      yield { text: decodeLine(buffer.subarray(start, newline), carryOffset + start), line };
      start = newline + 1;
    }
    carryOffset += start;
    buffer = buffer.subarray(start);
    carry = Buffer.from(buffer);
  }
  if (carry.length > 0) yield { text: decodeLine(carry, carryOffset), line };
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
