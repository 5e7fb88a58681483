performance.mark('steplens:script');

import { StepLensApp } from './app.js';
import { connectHost } from './host.js';

const root = document.getElementById('app');
if (root) {
  // The first frame drawn where the page was made (prerender/main.ts) is drawn again, the same, in
  // this task: no frame comes between, and from here on the panel's code owns every element.
  if (root.hasAttribute('data-prerendered')) {
    root.replaceChildren();
    root.removeAttribute('data-prerendered');
  }
  const app = new StepLensApp(root, connectHost());
  // The tests and benchmarks read the DOM, not this; it helps debugging in the webview devtools.
  (window as unknown as { steplens?: StepLensApp }).steplens = app;
}
