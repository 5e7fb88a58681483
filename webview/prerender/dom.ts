/**
 * A document for the panel's code to draw into outside a browser (linkedom), installed as the
 * globals the panel reads. Imported first by prerender/main.ts: the panel's modules read some
 * globals as they initialise (lazyAssets.ts reads document.currentScript).
 *
 * Nothing here runs later than the one synchronous render: animation frames and observers never
 * fire, so everything the panel defers until after its first paint stays undone (KaTeX, zod, the
 * selects' definitions), exactly as in the browser's first frame.
 */
import { parseHTML } from 'linkedom';

const { window, document } = parseHTML(
  '<!DOCTYPE html><html lang="en"><head></head><body><div id="app"></div></body></html>',
);

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

/** The viewport's height the first frame is drawn for: a short screen, so the frame stays small. */
const PRERENDER_VIEWPORT = 600;

const globals: Record<string, unknown> = {
  window,
  document,
  HTMLElement: window.HTMLElement,
  HTMLTemplateElement: window.HTMLTemplateElement,
  Node: window.Node,
  Element: window.Element,
  KeyboardEvent: window.KeyboardEvent ?? class {},
  ResizeObserver: NoResizeObserver,
  requestAnimationFrame: () => 0,
  cancelAnimationFrame: () => {},
  screen: { availHeight: PRERENDER_VIEWPORT },
  CSS: { escape: (text: string) => text.replace(/[^\w-]/g, (ch) => `\\${ch}`) },
  // In a browser the global object is the window: listeners added to it go to linkedom's window here.
  addEventListener: window.addEventListener.bind(window),
  removeEventListener: window.removeEventListener.bind(window),
  dispatchEvent: window.dispatchEvent.bind(window),
};
for (const [name, value] of Object.entries(globals))
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
Object.assign(window, { innerHeight: PRERENDER_VIEWPORT, scrollY: 0, scrollTo: () => {} });
