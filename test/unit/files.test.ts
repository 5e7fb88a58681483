/**
 * Run files are written whole or not at all: a temp file beside the target, synced, renamed over
 * it. A crash (SIGKILL included) at any moment leaves either the old file or the new one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/io/files.js';
import { ROOT } from '../support.js';

describe('atomic file writes', () => {
  test('the new content replaces the file in one rename; no temp file is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-atomic-'));
    const path = join(dir, 'run.json');
    writeFileSync(path, 'old');
    const before = statSync(path).ino;
    await writeFileAtomic(path, 'new content');
    assert.equal(readFileSync(path, 'utf8'), 'new content');
    assert.notEqual(
      statSync(path).ino,
      before,
      'a new file took the old one’s place (never written in place)',
    );
    assert.deepEqual(readdirSync(dir), ['run.json']);
  });

  test('a write that fails leaves the old file as it was, removes its temp file and names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-atomic-'));
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'kept');
    await assert.rejects(writeFileAtomic(path, 'x'), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /taken: is a directory, not a file/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ['taken']);
    assert.equal(readFileSync(join(path, 'inside'), 'utf8'), 'kept');
  });

  test('a missing folder is made; a path through a file is refused, named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-atomic-'));
    const path = join(dir, 'runs', 'math', 'math-1.json');
    await writeFileAtomic(path, 'one', { sync: false });
    await writeFileAtomic(join(dir, 'runs', 'math', 'math-2.json'), 'two');
    assert.equal(readFileSync(path, 'utf8'), 'one');
    assert.deepEqual(readdirSync(join(dir, 'runs', 'math')).sort(), ['math-1.json', 'math-2.json']);
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(writeFileAtomic(join(dir, 'file', 'sub', 'run.json'), 'x'), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /run\.json: a part of the path is a file, not a folder/);
      return true;
    });
  });

  test('SIGKILL in the middle of writing a large run leaves the old or the new file, never half of one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-kill-'));
    const path = join(dir, 'run.json');
    // Each version is one long JSON string: a torn file would not parse.
    const version = (n: number) => JSON.stringify({ version: n, body: String(n % 10).repeat(16_000_000) });
    writeFileSync(path, version(0));
    const writer = `
      const { writeFileAtomic } = require(${JSON.stringify(join(ROOT, 'src', 'io', 'files.ts'))});
      const version = ${version.toString()};
      (async () => {
        for (let n = 1; ; n++) {
          const text = version(n);
          process.stdout.write('writing ' + n + '\\n');
          await writeFileAtomic(${JSON.stringify(path)}, text);
        }
      })();
    `;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', writer], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // Kill it once a write has begun, a little later each round, so the kill lands before, during
      // and after the bytes go out.
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes(`writing ${2 + (round % 3)}`)) {
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, round * 4);
          }
        });
      });
      await new Promise((resolve) => child.on('close', resolve));
      const text = readFileSync(path, 'utf8');
      const parsed = JSON.parse(text) as { version: number; body: string };
      assert.equal(text, version(parsed.version), `round ${round}: a whole version`);
    }
  });
});
