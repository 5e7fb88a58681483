import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeText, firstInvalidUtf8Byte, Utf8LineSplitter } from '../../src/core/text.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('UTF-8 validation at the edges of each sequence length', () => {
  /** A valid character followed by a stray 0xFF: the first bad byte is the 0xFF (checked by hand). */
  const cases: [string, Uint8Array, number][] = [
    ['U+0080, the lowest 2-byte character', bytes(0xc2, 0x80, 0xff), 2],
    ['© (C2 lead)', bytes(0xc2, 0xa9, 0xff), 2],
    ['U+07FF (DF lead)', bytes(0xdf, 0xbf, 0xff), 2],
    ['U+0800, the lowest 3-byte character (E0 lead)', bytes(0xe0, 0xa0, 0x80, 0xff), 3],
    ['€ (E2 lead)', bytes(0xe2, 0x82, 0xac, 0xff), 3],
    ['U+FFFD (EF lead)', bytes(0xef, 0xbf, 0xbd, 0xff), 3],
    ['U+10000, the lowest 4-byte character (F0 lead)', bytes(0xf0, 0x90, 0x80, 0x80, 0xff), 4],
    ['😀 (F0 lead)', bytes(0xf0, 0x9f, 0x98, 0x80, 0xff), 4],
    ['U+10FFFF (F4 lead)', bytes(0xf4, 0x8f, 0xbf, 0xbf, 0xff), 4],
  ];
  for (const [name, input, expected] of cases) {
    test(`${name}, then 0xFF: bad byte at ${expected}`, () =>
      assert.equal(firstInvalidUtf8Byte(input), expected));
  }

  const invalid: [string, Uint8Array, number][] = [
    ['the last surrogate U+DFFF encoded', bytes(0x61, 0xed, 0xbf, 0xbf), 1],
    ['a C1 lead (Latin-1 Á) before continuation bytes', bytes(0xc1, 0x80, 0x80, 0x80), 0],
    ['é whose second byte is ASCII', bytes(0xc3, 0x28), 0],
    ['€ cut off after two bytes', bytes(0xe2, 0x82), 0],
  ];
  for (const [name, input, expected] of invalid) {
    test(`${name}: bad byte at ${expected}`, () => assert.equal(firstInvalidUtf8Byte(input), expected));
  }
});

describe('decoding a file', () => {
  const refusal = (input: Uint8Array): string => {
    try {
      decodeText(input, { file: 'q.md' });
    } catch (error) {
      assert.ok(error instanceof InputError);
      return error.message;
    }
    return 'decoded';
  };

  test('only FF FE or FE FF at the start is UTF-16; other FF and FE bytes are broken UTF-8', () => {
    assert.equal(refusal(bytes(0xff, 0xfe, 0x61, 0x00)), 'q.md: UTF-16 text; save the file as UTF-8');
    assert.equal(refusal(bytes(0xfe, 0xff, 0x00, 0x61)), 'q.md: UTF-16 text; save the file as UTF-8');
    assert.equal(refusal(bytes(0x61, 0xff)), 'q.md: invalid UTF-8 at byte 1');
    assert.equal(refusal(bytes(0x61, 0xfe)), 'q.md: invalid UTF-8 at byte 1');
    assert.equal(refusal(bytes(0xff, 0x61)), 'q.md: invalid UTF-8 at byte 0');
    assert.equal(refusal(bytes(0xfe, 0x61)), 'q.md: invalid UTF-8 at byte 0');
  });
});

describe('splitting a byte stream into lines', () => {
  test('a carriage return inside a line stays; only the one before the newline goes', () => {
    const splitter = new Utf8LineSplitter();
    assert.deepEqual(splitter.push(Buffer.from('a\rb\r\nc\n')), [
      { line: 1, text: 'a\rb' },
      { line: 2, text: 'c' },
    ]);
  });

  test('a bad byte on a first line after a byte-order mark is placed counting the mark', () => {
    const splitter = new Utf8LineSplitter();
    assert.deepEqual(splitter.push(bytes(0xef, 0xbb, 0xbf, 0x61, 0xff, 0x0a)), [{ line: 1, invalidAt: 4 }]);
  });
});
