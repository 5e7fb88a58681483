/**
 * The panel page's deferred assets (KaTeX, zod: webview/lazyAssets.ts): inert until the panel asks
 * for them, and never a way out of the element that holds them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { panelDeferredAssets, panelHtml } from '../../src/webviewHtml.js';

describe('deferred assets in the panel page', () => {
  test('standalone: inline in one inert template, after the panel script, without a nonce of their own', () => {
    const html = panelHtml({
      title: 't',
      nonce: 'N1',
      inlineScript: 'panel()',
      inlineStyle: 'p{}',
      deferred: panelDeferredAssets((name) => `/* ${name} */`, true),
    });
    const template = /<template id="steplens-deferred">([\s\S]*)<\/template>/.exec(html);
    assert.ok(template, 'one template holds them');
    assert.ok(html.indexOf('panel()') < html.indexOf('<template'), 'after the panel script');
    assert.equal(
      template[1],
      '<style data-asset="katex">/* standalone-katex.css */</style><script data-asset="katex">/* katex.js */</script>' +
        '<script data-asset="validators">/* validators.js */</script><script data-asset="select">/* select.js */</script>',
    );
    assert.doesNotMatch(template[1], /nonce/, 'only the panel copies them into nonce’d elements');
  });

  test('standalone: code that closes its element cannot end the template or run as markup', () => {
    const html = panelHtml({
      title: 't',
      nonce: 'N1',
      deferred: {
        inline: true,
        assets: {
          katex: {
            script: 'a = "</script><img src=x onerror=alert(1)>"',
            style: 'b{content:"</style><script>alert(2)</script>"}',
          },
        },
      },
    });
    assert.doesNotMatch(html, /<\/script><img/);
    assert.doesNotMatch(html, /<\/style><script>alert/);
  });

  test('VS Code: the files’ URIs in a JSON element, nothing inline', () => {
    const html = panelHtml({
      title: 't',
      nonce: 'N1',
      scriptUri: 'vscode-resource:/dist/webview.js',
      deferred: panelDeferredAssets((name) => `vscode-resource:/dist/${name}`, false),
    });
    const json = /<script type="application\/json" id="steplens-deferred">([^<]*)<\/script>/.exec(html);
    assert.ok(json);
    assert.deepEqual(JSON.parse(json[1]!), {
      katex: { script: 'vscode-resource:/dist/katex.js', style: 'vscode-resource:/dist/katex.css' },
      validators: { script: 'vscode-resource:/dist/validators.js' },
      select: { script: 'vscode-resource:/dist/select.js' },
    });
  });
});
