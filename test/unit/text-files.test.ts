/**
 * Bytes from users' files: what is text, what is not, and where exactly it breaks; file-system
 * failures in words a person can act on; run files that are not run files.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeText, firstInvalidUtf8Byte, hasUtf8Bom, Utf8LineSplitter } from '../../src/core/text.js';
import { parseAuditLog } from '../../src/io/auditLog.js';
import { fileError, fileProblem } from '../../src/io/files.js';
import { pathInside } from '../../src/io/paths.js';
import { parseRun } from '../../src/io/runFiles.js';
import { smallRun } from '../fixtures/smallRun.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => [...Buffer.from(text, 'latin1')];

describe('UTF-8 validation', () => {
  const cases: [string, Uint8Array, number][] = [
    ['ASCII', bytes(...ascii('x = 1')), -1],
    ['empty', bytes(), -1],
    ['2-byte é', bytes(0x63, 0x61, 0x66, 0xc3, 0xa9), -1],
    ['3-byte €', bytes(0x31, 0xe2, 0x82, 0xac), -1],
    ['4-byte 𝑥', bytes(0xf0, 0x9d, 0x91, 0xa5, 0x21), -1],
    ['highest code point U+10FFFF', bytes(0xf4, 0x8f, 0xbf, 0xbf), -1],
    ['Latin-1 é alone', bytes(0x63, 0x61, 0x66, 0xe9, 0x20), 3],
    ['a stray continuation byte', bytes(0x61, 0x80), 1],
    ['overlong 2-byte (C0 lead)', bytes(0xc0, 0xaf), 0],
    ['overlong 3-byte', bytes(0x41, 0xe0, 0x80, 0xaf), 1],
    ['overlong 4-byte', bytes(0xf0, 0x80, 0x80, 0xaf), 0],
    ['a UTF-16 surrogate encoded', bytes(0xed, 0xa0, 0x80), 0],
    ['above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['F5 lead', bytes(0x61, 0x62, 0xf5, 0x80, 0x80, 0x80), 2],
    ['3-byte cut short at the end', bytes(0x61, 0xe2, 0x82), 1],
    ['4-byte whose third byte is ASCII', bytes(0xf0, 0x9d, 0x41, 0xa5), 0],
    ['valid, then broken after a 4-byte char', bytes(0xf0, 0x9d, 0x91, 0xa5, 0xc3, 0x28), 4],
  ];
  for (const [name, input, expected] of cases) {
    test(`${name}: ${expected === -1 ? 'valid' : `first bad byte at ${expected}`}`, () => {
      assert.equal(firstInvalidUtf8Byte(input), expected);
      // The check agrees with the platform's own strict decoder.
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(input);
      } catch {
        valid = false;
      }
      assert.equal(valid, expected === -1);
    });
  }

  test('a byte-order mark is exactly EF BB BF at the start', () => {
    assert.equal(hasUtf8Bom(bytes(0xef, 0xbb, 0xbf, 0x61)), true);
    assert.equal(hasUtf8Bom(bytes(0xef, 0xbb, 0x61)), false);
    assert.equal(hasUtf8Bom(bytes(0xef, 0x61, 0xbf)), false);
    assert.equal(hasUtf8Bom(bytes(0x61, 0xbb, 0xbf)), false);
    assert.equal(hasUtf8Bom(bytes()), false);
  });
});

describe('decoding a whole file', () => {
  const where = { file: 'p.md' };
  const failure = (input: Uint8Array) => {
    try {
      decodeText(input, where);
    } catch (error) {
      assert.ok(error instanceof InputError);
      return error.message;
    }
    return 'decoded';
  };

  test('text with and without a byte-order mark', () => {
    assert.equal(decodeText(bytes(0xef, 0xbb, 0xbf, ...ascii('hi')), where), 'hi');
    assert.equal(decodeText(bytes(...ascii('hi')), where), 'hi');
    assert.equal(
      decodeText(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf), where),
      '\uFEFF',
      'only the first mark is dropped',
    );
  });

  test('UTF-16 in either byte order is named as such', () => {
    assert.equal(failure(bytes(0xff, 0xfe, 0x61, 0x00)), 'p.md: UTF-16 text; save the file as UTF-8');
    assert.equal(failure(bytes(0xfe, 0xff, 0x00, 0x61)), 'p.md: UTF-16 text; save the file as UTF-8');
    assert.equal(failure(bytes(0xff, 0x61)), 'p.md: invalid UTF-8 at byte 0');
    assert.equal(failure(bytes(0x61, 0xfe, 0xff)), 'p.md: invalid UTF-8 at byte 1');
  });

  test('offsets count from the start of the file, byte-order mark included', () => {
    assert.equal(failure(bytes(...ascii('ab'), 0x00)), 'p.md: not a text file (a NUL byte at byte 2)');
    assert.equal(
      failure(bytes(0xef, 0xbb, 0xbf, ...ascii('ab'), 0x00)),
      'p.md: not a text file (a NUL byte at byte 5)',
    );
    assert.equal(failure(bytes(...ascii('ab'), 0xe9)), 'p.md: invalid UTF-8 at byte 2');
    assert.equal(failure(bytes(0xef, 0xbb, 0xbf, ...ascii('ab'), 0xe9)), 'p.md: invalid UTF-8 at byte 5');
  });

  test('line by line: CR LF, a mark on the first line only, a bad line costs only itself', () => {
    const splitter = new Utf8LineSplitter();
    const lines = [
      ...splitter.push(bytes(0xef, 0xbb, 0xbf, ...ascii('a\r\nb'))),
      ...splitter.push(bytes(0xe9, ...ascii('\n'), 0xef, 0xbb, 0xbf, ...ascii('c'))),
      ...splitter.end(),
    ];
    assert.deepEqual(lines, [
      { line: 1, text: 'a' },
      { line: 2, invalidAt: 7 },
      { line: 3, text: '\uFEFFc' },
    ]);
    assert.deepEqual(splitter.end(), [], 'nothing left once ended');
  });
});

describe('reading audit text', () => {
  test('blank lines are no events; a bad event names its field; a mark only counts at the start', () => {
    const good = JSON.stringify({
      type: 'note',
      schemaVersion: 1,
      at: '2026-11-28T10:00:00.000Z',
      sample: 0,
      text: 'x',
    });
    const log = parseAuditLog(
      `\uFEFF${good}\n   \n{"type":"note","schemaVersion":1,"at":"2026-11-28T10:00:00.000Z","sample":-1,"text":"x"}\n\uFEFF${good}\n`,
    );
    assert.equal(log.events.length, 1);
    assert.deepEqual(
      log.skipped.map((entry) => [entry.line, entry.reason]),
      [
        [3, 'Too small: expected number to be >=0 (field "sample")'],
        [4, 'not JSON (a write cut short?)'],
      ],
    );
  });
});

describe('file-system failures in words', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
  test('each common failure, reading and writing', () => {
    assert.equal(fileProblem(errno('ENOENT'), 'read'), 'no such file');
    assert.equal(fileProblem(errno('ENOENT'), 'write'), 'its folder cannot be created');
    assert.equal(fileProblem(errno('EISDIR'), 'read'), 'is a directory, not a file');
    assert.equal(fileProblem(errno('ENOTDIR'), 'write'), 'a part of the path is a file, not a folder');
    assert.equal(fileProblem(errno('EEXIST'), 'write'), 'a part of the path is a file, not a folder');
    assert.equal(fileProblem(errno('EACCES'), 'read'), 'permission denied (cannot read)');
    assert.equal(fileProblem(errno('EPERM'), 'write'), 'permission denied (cannot write)');
    assert.equal(fileProblem(errno('EROFS'), 'write'), 'read-only file system');
    assert.equal(fileProblem(errno('ENOSPC'), 'write'), 'no space left on the device');
    assert.equal(fileProblem(errno('EMFILE'), 'read'), 'cannot read (EMFILE)');
    assert.equal(fileProblem(new Error('odd'), 'write'), 'cannot write (odd)');
    assert.equal(fileProblem('plain', 'write'), 'cannot write (plain)');
  });

  test('a path the user gave is bad input (exit 2); a full disk is the machine (exit 1)', () => {
    for (const code of ['ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS']) {
      const error = fileError('/x/out', errno(code), 'write');
      assert.ok(error instanceof InputError, code);
      assert.match(error.message, /^\/x\/out: /);
    }
    const full = fileError('/x/out', errno('ENOSPC'), 'write');
    assert.equal(full instanceof InputError, false);
    assert.equal(full.message, '/x/out: no space left on the device');
  });
});

describe('names inside a folder', () => {
  test('a plain name stays in; separators, climbing and the folder itself are refused', () => {
    assert.equal(pathInside('/ws/runs', 'a.json'), '/ws/runs/a.json');
    assert.equal(pathInside('/ws/runs', 'a..b.json'), '/ws/runs/a..b.json');
    for (const name of ['../a.json', 'sub/a.json', 'sub\\a.json', '/etc/passwd', '', '.', '..']) {
      assert.throws(
        () => pathInside('/ws/runs', name),
        (error: Error) =>
          error instanceof InputError &&
          error.message === `${name}: refusing a file name that leaves its folder /ws/runs`,
        JSON.stringify(name),
      );
    }
  });
});

describe('run files that are not run files', () => {
  const message = (text: string) => {
    try {
      parseRun('r.json', text);
    } catch (error) {
      return (error as Error).message;
    }
    return 'parsed';
  };
  test('not JSON, not an object, no version, another version, a bad field — each said plainly', () => {
    assert.match(message('{"schemaVersion": 1,'), /^r\.json: invalid JSON \(column \d+: /);
    for (const text of ['[1]', 'null', '"run"', '{"id": "x"}']) {
      assert.equal(
        message(text),
        'r.json, field "schemaVersion": not a StepLens run file (no schemaVersion)',
        text,
      );
    }
    assert.equal(
      message('{"schemaVersion": 2}'),
      'r.json, field "schemaVersion": this run file has schema version 2; this StepLens reads version 1',
    );
    assert.equal(message(JSON.stringify(smallRun())), 'parsed');
    assert.match(
      message(JSON.stringify({ ...smallRun(), id: '../x' })),
      /^r\.json, field "id": must start with a letter or digit/,
    );
    assert.match(
      message(JSON.stringify({ ...smallRun(), id: 'a'.repeat(129) })),
      /^r\.json, field "id": must be at most 128 characters/,
    );
  });
});
