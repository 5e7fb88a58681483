/**
 * Every bundle carries the slim zod (src/zodSlim.ts, by scripts/build.mjs's alias), while the unit
 * tests run against the full package: a schema builder the code calls that the slim zod lacks would
 * only fail in the built extension. Every `z.<name>(` and `z.<name>.` in src/ must exist on it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { z as slim } from '../../src/zodSlim.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

test('every zod builder the code calls is in the slim zod the bundles carry', () => {
  const root = join(import.meta.dirname, '..', '..');
  const used = new Map<string, string>();
  // The JSON Schemas are exported by scripts/export-schemas.ts, which runs on the full package.
  const scriptOnly = new Set([join(root, 'src', 'core', 'jsonSchemas.ts')]);
  for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'webview'))]) {
    if (scriptOnly.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    // Only files that use zod's `z` (the symbolic code names complex numbers z).
    if (!/import \{ z \} from 'zod'/.test(text)) continue;
    // `z.core.$ZodIssue` is a type; every other `z.name(` or `z.name.` is a value the bundle needs.
    for (const match of text.matchAll(/\bz\.([A-Za-z]+)\s*(?:\(|\.(?!\$))/g)) used.set(match[1]!, file);
  }
  assert.ok(
    used.has('object') && used.has('iso'),
    `found the builders in use: ${[...used.keys()].join(', ')}`,
  );
  const missing = [...used].filter(([name]) => !(name in slim)).map(([name, file]) => `z.${name} (${file})`);
  assert.deepEqual(missing, []);
});
