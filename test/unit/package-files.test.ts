/**
 * The .vsix holds only what .vscodeignore lets through: a webview bundle built but left out loads
 * in the development host (the integration suite) and is missing for everyone who installs the
 * extension. Every webview script scripts/build.mjs writes must be let through.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support.js';

test('every webview bundle of the build is packaged', () => {
  const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
  // The webview bundles are the browser builds in iife format.
  // dist/prerender.js draws the standalone page's first frame for the CLI, which the .vsix does not carry.
  const bundles = [...build.matchAll(/format: 'iife',[\s\S]*?outfile: '(dist\/[^']+)'/g)]
    .map((match) => match[1])
    .filter((bundle) => bundle !== 'dist/prerender.js');
  assert.ok(
    bundles.includes('dist/webview.js') && bundles.includes('dist/adjudicate.js'),
    `found ${bundles}`,
  );
  const kept = new Set(
    readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).trim()),
  );
  assert.deepEqual(
    bundles.filter((bundle) => !kept.has(bundle!)),
    [],
    'left out of the .vsix by .vscodeignore',
  );
});

test('welcome texts of the views use no Markdown emphasis: VS Code shows ** and __ as typed', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { viewsWelcome?: { view: string; contents: string }[] };
  };
  const welcomes = manifest.contributes.viewsWelcome ?? [];
  assert.ok(welcomes.length > 0);
  assert.deepEqual(
    welcomes.filter((welcome) => /\*\*|__/.test(welcome.contents)).map((welcome) => welcome.view),
    [],
  );
});
