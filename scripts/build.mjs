// Bundles the extension host (cjs, vscode external), the CLI (node, executable), and the panel
// (browser): once with its fonts as files for the VS Code webview, once self-contained (fonts
// inlined) for the standalone page of `steplens view --html`. KaTeX (code, stylesheet, fonts) is
// bundled apart from the panel: the page loads it after its first paint. `--production` minifies.
import { chmod } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// zod's schema builders only (src/zodSlim.ts), in every bundle.
const SLIM_ZOD = './src/zodSlim.ts';

const node = {
  bundle: true,
  alias: { zod: SLIM_ZOD },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const browser = {
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  minify: true,
  logLevel: 'warning',
  legalComments: 'none',
};

// The standalone page inlines KaTeX's woff2 fonts; the woff/ttf fallbacks a current browser never
// fetches are dropped rather than tripling the page.
const dropFallbackFonts = {
  name: 'drop-katex-fallback-fonts',
  setup(build) {
    build.onResolve({ filter: /KaTeX_[^/]*\.(woff|ttf)$/ }, (args) => ({
      path: args.path,
      namespace: 'dropped-font',
    }));
    build.onLoad({ filter: /.*/, namespace: 'dropped-font' }, () => ({ contents: '', loader: 'dataurl' }));
  },
};

// The prerendered first frame needs the components' tags and attributes only: their definitions
// (lit, shadow DOM) are the browser's business, after the page's first paint.
const noComponentDefinitions = {
  name: 'no-component-definitions',
  setup(build) {
    build.onResolve({ filter: /^@vscode-elements\/elements\// }, (args) => ({
      path: args.path,
      namespace: 'no-component-definitions',
    }));
    build.onLoad({ filter: /.*/, namespace: 'no-component-definitions' }, () => ({
      contents: '',
      loader: 'js',
    }));
  },
};

const builds = [
  // Activation loads only extension.js; host.js (zod, the pipeline, the panels) loads on first use.
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/host/main.ts'], outfile: 'dist/host.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // compute-engine (LaTeX parsing for the symbolic answer check) runs in a worker thread started on
  // the first pair the normaliser cannot decide; host.js and cli.js only know this file's name.
  { ...node, entryPoints: ['src/symbolic/worker.mjs'], outfile: 'dist/symbolic.js' },
  {
    ...browser,
    format: 'iife',
    entryPoints: ['webview/main.ts'],
    alias: { zod: SLIM_ZOD },
    // Marks when the browser starts running the bundle, before its modules initialise.
    banner: { js: "performance.mark('steplens:bundle');" },
    outfile: 'dist/webview.js',
    sourcemap: !production,
  },
  // The panel's first frame drawn by the CLI for `view --html`, in a node:vm context with linkedom's DOM.
  {
    ...browser,
    format: 'iife',
    target: 'node20',
    entryPoints: ['webview/prerender/main.ts'],
    alias: { zod: SLIM_ZOD },
    plugins: [noComponentDefinitions],
    outfile: 'dist/prerender.js',
  },
  // KaTeX, and zod with the protocol's schemas: run after the panel's first paint (webview/lazyAssets.ts).
  { ...browser, format: 'iife', entryPoints: ['webview/katex.ts'], outfile: 'dist/katex.js' },
  {
    ...browser,
    format: 'iife',
    entryPoints: ['webview/validatorsEntry.ts'],
    alias: { zod: SLIM_ZOD },
    outfile: 'dist/validators.js',
  },
  // The panel's selects: defined after its first paint too (webview/selectEntry.ts).
  { ...browser, format: 'iife', entryPoints: ['webview/selectEntry.ts'], outfile: 'dist/select.js' },
  // The Dataset Report view's problems table (its page's plots are the host's script-free HTML).
  {
    ...browser,
    format: 'iife',
    entryPoints: ['webview/report/main.ts'],
    alias: { zod: SLIM_ZOD },
    outfile: 'dist/report.js',
    sourcemap: !production,
  },
  // The Audit Queue view (its page links the panel's stylesheet for the theme, KaTeX and score bars).
  {
    ...browser,
    format: 'iife',
    entryPoints: ['webview/queue/main.ts'],
    alias: { zod: SLIM_ZOD },
    outfile: 'dist/queue.js',
    sourcemap: !production,
  },
  // The adjudication view: annotators' disagreements settled from the keyboard.
  {
    ...browser,
    format: 'iife',
    entryPoints: ['webview/adjudicate/main.ts'],
    alias: { zod: SLIM_ZOD },
    outfile: 'dist/adjudicate.js',
    sourcemap: !production,
  },
  // The panel's own rules with the codicons (the first paint needs both), and KaTeX's: fonts as
  // files for the VS Code webview, inlined for the standalone page.
  ...['styles', 'katex'].flatMap((name) => [
    {
      ...browser,
      entryPoints: [`webview/${name}.css`],
      outfile: `dist/${name === 'styles' ? 'webview' : name}.css`,
      loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
      assetNames: 'fonts/[name]',
    },
    {
      ...browser,
      entryPoints: [`webview/${name}.css`],
      outfile: `dist/standalone${name === 'styles' ? '' : `-${name}`}.css`,
      loader: { '.woff2': 'dataurl', '.ttf': 'dataurl' },
      plugins: [dropFallbackFonts],
    },
  ]),
];

// The integration suite runs inside the extension host: bundled like the extension itself.
if (process.argv.includes('--tests')) {
  builds.push({
    ...node,
    entryPoints: ['test/integration/index.ts', 'test/integration/suite.test.ts'],
    outdir: 'out/integration',
    external: ['vscode', 'mocha'],
  });
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await chmod('dist/cli.js', 0o755);
}
