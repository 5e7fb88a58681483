import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseHostMessage,
  parseWebviewMessage,
  SKIPPED_LINES_NAMED,
  SkippedLinesSchema,
  skippedLines,
} from '../../src/protocol.js';
import { contentSecurityPolicy, createNonce, panelHtml, scriptSafeJson } from '../../src/webviewHtml.js';

describe('panel HTML and CSP', () => {
  test('nonces are random, long, and base64', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9+/=]{24}$/);
  });

  test('the CSP allows only this nonce’s scripts, no remote source, no inline script', () => {
    const csp = contentSecurityPolicy({
      nonce: 'abc',
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    });
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline|https?:\/\/(?!file\+)/);
    assert.doesNotMatch(contentSecurityPolicy({ nonce: 'abc' }), /http/);
  });

  test('webview page: external script and style carry the nonce; nothing else runs', () => {
    const html = panelHtml({
      title: 'StepLens <x>',
      nonce: 'N1',
      cspSource: 'vscode-resource:',
      scriptUri: 'vscode-resource:/dist/webview.js',
      styleUri: 'vscode-resource:/dist/webview.css',
    });
    assert.match(html, /<script nonce="N1" src="vscode-resource:\/dist\/webview\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" nonce="N1"/);
    assert.match(html, /<title>StepLens &#60;x&#62;<\/title>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  test('standalone page: embedded run data cannot close its script element', () => {
    const hostile = { text: '</script><script>alert(1)</script><!--' };
    const html = panelHtml({
      title: 't',
      nonce: 'N2',
      inlineScript: 'var s = "</script>";',
      inlineStyle: 'a{}',
      embedded: scriptSafeJson(hostile),
    });
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two real closing tags');
    assert.match(html, /<script nonce="N2">var s = "<\\\/script>";<\/script>/);
    assert.deepEqual(JSON.parse(scriptSafeJson(hostile)), hostile);
    assert.doesNotMatch(scriptSafeJson(hostile), /</);
  });
});

describe('protocol', () => {
  test('webview messages parse; unknown types and wrong payloads are dropped', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.equal(parseWebviewMessage({ type: 'shell/exec', command: 'rm -rf /' }), undefined);
    assert.equal(
      parseWebviewMessage({ type: 'command/run', command: 'workbench.action.terminal.new' }),
      undefined,
    );
    assert.equal(
      parseWebviewMessage({
        type: 'audit/append',
        runId: 'r',
        event: { type: 'stepRating', schemaVersion: 1, at: 'yesterday', sample: 0, step: 0, rating: 1 },
      }),
      undefined,
    );
    const append = {
      type: 'audit/append',
      runId: 'r',
      requestId: 'a1-1',
      event: {
        type: 'stepRating',
        schemaVersion: 1,
        at: '2026-11-28T10:00:00.000Z',
        sample: 0,
        step: 0,
        rating: 1,
      },
    };
    assert.deepEqual(parseWebviewMessage(append), append);
    assert.deepEqual(parseWebviewMessage({ ...append, requestId: 7 }), { ...append, requestId: 7 });
    const { requestId: _unnamed, ...withoutId } = append;
    assert.equal(parseWebviewMessage(withoutId), undefined, 'an append must name its request');
    assert.equal(parseWebviewMessage({ ...append, requestId: '' }), undefined);
    // Each append is answered by name.
    const saved = { type: 'audit/saved', runId: 'r', requestId: 'a1-1' };
    assert.deepEqual(parseHostMessage(saved), saved);
    const failed = { type: 'audit/failed', runId: 'r', requestId: 7, message: 'disk full' };
    assert.deepEqual(parseHostMessage(failed), failed);
    assert.equal(parseHostMessage({ type: 'audit/failed', runId: 'r', message: 'disk full' }), undefined);
    assert.equal(parseHostMessage({ type: 'run/show', run: {}, events: [], readOnly: false }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'view/empty', message: 'x' }), {
      type: 'view/empty',
      message: 'x',
    });
  });

  test('unreadable audit lines: the first few named, all counted, long reasons cut; none, nothing', () => {
    assert.equal(skippedLines('/w/a.jsonl', []), undefined);
    const skipped = Array.from({ length: 5 }, (_, i) => ({
      line: i * 2 + 1,
      reason: i === 0 ? 'x'.repeat(5000) : 'bad',
    }));
    const said = skippedLines('/w/a.jsonl', skipped)!;
    assert.equal(said.count, 5);
    assert.equal(said.lines.length, SKIPPED_LINES_NAMED);
    assert.deepEqual(
      said.lines.map((line) => line.line),
      [1, 3, 5],
    );
    assert.ok(said.lines[0]!.reason.length <= 200 && said.lines[0]!.reason.endsWith('…'));
    assert.deepEqual(SkippedLinesSchema.parse(said), said);
    assert.equal(
      SkippedLinesSchema.safeParse({ ...said, lines: [...said.lines, { line: 9, reason: 'bad' }] }).success,
      false,
      'no more than the first few cross to the panel',
    );
  });
});
