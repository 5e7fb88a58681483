/**
 * KaTeX as the panel's deferred asset (lazyAssets.ts): its own bundle, run after the panel's first
 * paint, handing the panel the one function it uses.
 */
import katex from 'katex';

window.steplensKatex = { renderToString: (tex, options) => katex.renderToString(tex, options) };
