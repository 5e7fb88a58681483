/**
 * Bytes from a user's file to text. A leading UTF-8 byte-order mark is dropped (editors on Windows
 * write one); a binary file, UTF-16 text or a byte sequence that is not UTF-8 is refused with the
 * byte offset, never turned silently into U+FFFD.
 */
import { InputError, type InputLocation } from './errors.js';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

/** The offset of the first byte that does not belong to a valid UTF-8 sequence, or −1. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    let length: number;
    let min: number;
    if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
    else return at;
    let code = lead & (0xff >> (length + 1));
    for (let i = 1; i < length; i++) {
      const next = bytes[at + i];
      if (next === undefined || (next & 0xc0) !== 0x80) return at;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return at;
    at += length;
  }
  return -1;
}

/** How far into a file we look for NUL bytes: text files never hold one, binary files almost always do early. */
const BINARY_SNIFF_BYTES = 8192;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a whole file; `where` names it in the error. */
export function decodeText(bytes: Uint8Array, where: InputLocation): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError(where, 'UTF-16 text; save the file as UTF-8');
  }
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  const nul = body.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul !== -1)
    throw new InputError(where, `not a text file (a NUL byte at byte ${nul + (body === bytes ? 0 : 3)})`);
  try {
    return decoder.decode(body);
  } catch {
    const offset = firstInvalidUtf8Byte(body) + (body === bytes ? 0 : 3);
    throw new InputError(where, `invalid UTF-8 at byte ${offset}`);
  }
}

/** One line of a UTF-8 byte stream: its text, or where its first byte that is not UTF-8 sits. */
export type Utf8Line = { line: number; text: string } | { line: number; text?: undefined; invalidAt: number };

/**
 * Splits UTF-8 bytes into lines as they arrive (LF or CR LF; a byte-order mark before the first
 * line dropped). Each line is decoded on its own, so one line of broken bytes costs that line only;
 * `invalidAt` is the bad byte's offset in the whole stream. Callers decide what a bad line means.
 */
export class Utf8LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private carry: Uint8Array = new Uint8Array(0);
  /** Stream offset of `carry`'s first byte. */
  private carryOffset = 0;
  private line = 0;

  push(bytes: Uint8Array): Utf8Line[] {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: joining an empty carry gives the same bytes; the test saves a copy
    const buffer = this.carry.length > 0 ? concat(this.carry, bytes) : bytes;
    const lines: Utf8Line[] = [];
    let start = 0;
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
      lines.push(this.decode(buffer.subarray(start, newline), this.carryOffset + start));
      start = newline + 1;
    }
    this.carryOffset += start;
    this.carry = buffer.slice(start);
    return lines;
  }

  /** The last line, when the stream does not end with a newline. */
  end(): Utf8Line[] {
    if (this.carry.length === 0) return [];
    const last = this.decode(this.carry, this.carryOffset);
    this.carry = new Uint8Array(0);
    return [last];
  }

  private decode(bytes: Uint8Array, offset: number): Utf8Line {
    this.line += 1;
    const skip = this.line === 1 && hasUtf8Bom(bytes) ? 3 : 0;
    const body = bytes.subarray(skip);
    try {
      return { line: this.line, text: this.decoder.decode(body).replace(/\r$/, '') };
    } catch {
      return { line: this.line, invalidAt: offset + skip + firstInvalidUtf8Byte(body) };
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
