/** The packaged .vsix: built sources only, small, everything the panel needs to run offline. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support.js';

/** Entry names from a zip's central directory (a .vsix is a zip). */
function zipEntries(buffer: Buffer): string[] {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'no end-of-central-directory record');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buffer.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    names.push(buffer.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

test('the .vsix holds the bundles, fonts, icon and schemas, and no sources, tests or fixtures', () => {
  const vsix = join(ROOT, 'steplens.vsix');
  assert.ok(existsSync(vsix), 'npm run package builds steplens.vsix');
  const files = zipEntries(readFileSync(vsix)).filter((name) => name.startsWith('extension/'));
  for (const required of [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/host.js',
    'extension/dist/symbolic.js',
    'extension/dist/webview.js',
    'extension/dist/webview.css',
    'extension/dist/katex.js',
    'extension/dist/katex.css',
    'extension/dist/validators.js',
    'extension/dist/select.js',
    'extension/dist/report.js',
    'extension/dist/fonts/codicon.ttf',
    'extension/dist/fonts/KaTeX_Main-Regular.woff2',
    'extension/media/steplens.svg',
    'extension/schemas/run.schema.json',
    'extension/LICENSE.txt',
    'extension/readme.md',
  ]) {
    assert.ok(
      files.some((name) => name.toLowerCase() === required.toLowerCase()),
      `${required} is packaged`,
    );
  }
  const leaked = files.filter((name) =>
    /\/(src|test|webview|scripts|node_modules|examples)\/|\.ts$|\.map$|\.vscode-test/.test(name),
  );
  assert.deepEqual(leaked, []);
  const size = statSync(vsix).size;
  assert.ok(size < 2 * 1024 * 1024, `the .vsix is ${size} bytes; keep it under 2 MiB`);
});
