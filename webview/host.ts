/**
 * The panel's one seam to the outside. In VS Code it is postMessage; in a standalone HTML page
 * (`steplens view --html`) it is the run embedded in the page, read-only. Everything the host
 * sends is parsed with the protocol's zod schemas; what does not parse is dropped.
 */
import { type HostMessage, parseHostMessage, type WebviewMessage } from '../src/protocol.js';

export interface HostSeam {
  readonly readOnly: boolean;
  post(message: WebviewMessage): void;
  listen(listener: (message: HostMessage) => void): void;
  loadState<T>(): T | undefined;
  saveState(state: unknown): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

function vscodeHost(api: VsCodeApi): HostSeam {
  return {
    readOnly: false,
    post: (message) => api.postMessage(message),
    listen: (listener) => {
      window.addEventListener('message', (event: MessageEvent) => {
        const started = performance.now();
        const message = parseHostMessage(event.data);
        performance.measure('steplens:parse', { start: started, end: performance.now() });
        if (message) {
          const handling = performance.now();
          listener(message);
          performance.measure(`steplens:handle ${message.type}`, { start: handling, end: performance.now() });
        } else
          api.postMessage({
            type: 'log/error',
            message: `dropped a host message that does not parse: ${String((event.data as { type?: unknown })?.type)}`,
          });
      });
    },
    loadState: <T>() => (api.getState() ?? undefined) as T | undefined,
    saveState: (state) => api.setState(state),
  };
}

function embeddedHost(data: string): HostSeam {
  return {
    readOnly: true,
    post: () => {},
    listen: (listener) => {
      const raw = JSON.parse(data) as object;
      performance.mark('steplens:json');
      const message = parseHostMessage({ type: 'run/show', readOnly: true, ...raw });
      performance.mark('steplens:validated');
      queueMicrotask(() =>
        listener(
          message ?? {
            type: 'view/empty',
            message: 'The run embedded in this page does not parse as a StepLens run.',
          },
        ),
      );
    },
    loadState: () => undefined,
    saveState: () => {},
  };
}

export function connectHost(): HostSeam {
  if (typeof window.acquireVsCodeApi === 'function') return vscodeHost(window.acquireVsCodeApi());
  const embedded = document.getElementById('steplens-data')?.textContent;
  if (embedded) return embeddedHost(embedded);
  return {
    readOnly: true,
    post: () => {},
    listen: (listener) => queueMicrotask(() => listener({ type: 'view/empty', message: 'No run to show.' })),
    loadState: () => undefined,
    saveState: () => {},
  };
}
