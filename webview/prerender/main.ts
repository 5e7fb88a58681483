/**
 * The panel's first frame as HTML, drawn by the panel's own code where its standalone page is made
 * (`steplens view --html`, src/cli/view.ts). The page shows this frame as its first paint and runs
 * the panel's script after it; the script then draws the same frame over it and takes over. So the
 * first paint waits for no script, and its content is the real panel's, not a copy drawn apart.
 *
 * Runs in a fresh node:vm context per page (dist/prerender.js): the DOM globals it installs
 * (prerender/dom.ts) never reach the CLI's own globals, and no module state outlives one page.
 */
// First, and as a bare import (which import sorting leaves in place): the panel's modules read the
// DOM's globals as they initialise.
import './dom.js';
import type { HostMessage } from '../../src/protocol.js';
import { StepLensApp } from '../app.js';
import type { HostSeam } from '../host.js';
import { lightCheckShow } from '../runCheck.js';

/**
 * The markup of the panel's root element for a page embedding `json` (the page's own embedded
 * text, parsed here: no object crosses from the CLI's realm); undefined when the light check refuses
 * it, and the page's script says why.
 */
function prerender(json: string): string | undefined {
  const light = lightCheckShow({ type: 'run/show', readOnly: true, ...(JSON.parse(json) as object) });
  if (!('show' in light)) return undefined;
  const root = document.getElementById('app');
  if (!root) return undefined;
  const seam: HostSeam = {
    readOnly: true,
    post: () => {},
    listen: (listener: (message: HostMessage) => void) => listener(light.show),
    loadState: () => undefined,
    saveState: () => {},
  };
  new StepLensApp(root, seam);
  root.setAttribute('data-prerendered', '');
  return root.outerHTML;
}

(globalThis as { steplensPrerender?: typeof prerender }).steplensPrerender = prerender;
