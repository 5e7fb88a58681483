performance.mark('steplens:script');

import { StepLensApp } from './app.js';
import { connectHost } from './host.js';

const root = document.getElementById('app');
if (root) {
  const app = new StepLensApp(root, connectHost());
  // The tests and benchmarks read the DOM, not this; it helps debugging in the webview devtools.
  (window as unknown as { steplens?: StepLensApp }).steplens = app;
}
