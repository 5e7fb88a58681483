/**
 * The audit queue's page as VS Code shows it, built once per test file from the built bundle
 * (dist/queue.js) with its styles and deferred assets inline, for openFakeWebview.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queueHtml } from '../../src/queueHtml.js';
import { createNonce, panelDeferredAssets } from '../../src/webviewHtml.js';
import { ROOT } from '../support.js';

/** Writes the queue page for dataset `name` to a temporary file and returns its path. */
export function queuePagePath(name: string): string {
  assert.ok(existsSync(join(ROOT, 'dist', 'queue.js')), 'dist/queue.js is missing: node scripts/build.mjs');
  const html = queueHtml({
    nonce: createNonce(),
    name,
    inlineScript: readFileSync(join(ROOT, 'dist', 'queue.js'), 'utf8'),
    inlineStyle: readFileSync(join(ROOT, 'dist', 'standalone.css'), 'utf8'),
    deferred: panelDeferredAssets((file) => readFileSync(join(ROOT, 'dist', file), 'utf8'), true),
  });
  const path = join(mkdtempSync(join(tmpdir(), 'steplens-queue-')), 'queue.html');
  writeFileSync(path, html);
  return path;
}
