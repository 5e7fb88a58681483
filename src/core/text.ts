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
