/**
 * The panel's one seam to the outside. In VS Code it is postMessage; in a standalone HTML page
 * (`steplens view --html`) it is the run embedded in the page, read-only. Everything the host
 * sends is parsed with the protocol's zod schemas; what does not parse is dropped.
 *
 * zod (its code, its schemas' construction, its parse of a 4 MB run) would cost the first paint
 * 100 ms and more, so a `run/show` goes through the light check of runCheck.ts, is painted, and is
 * then parsed by zod in slices after the first paint: a run zod refuses is withdrawn, with zod's
 * message. zod comes as a deferred asset of the page (lazyAssets.ts), loaded on first use, which for
 * a run is after the first paint. Messages keep their order.
 */
import type { HostMessage, WebviewMessage } from '../src/protocol.js';
import { afterPaint, loadValidators, type ValidatorsApi } from './lazyAssets.js';
import { lightCheckShow } from './runCheck.js';

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

let validators: ValidatorsApi | undefined;

/** zod's side, loaded once (a deferred asset of the page); rejects when the page carries none. */
async function getValidators(): Promise<ValidatorsApi> {
  validators ??= await loadValidators();
  if (!validators) throw new Error('the page carries no validators: host messages cannot be checked');
  return validators;
}

/**
 * Checks a painted `run/show` with zod after the first paint; `refuse` gets zod's reason when zod
 * refuses it and `stillShown()` says the panel still shows it.
 */
function verifyAfterPaint(raw: unknown, stillShown: () => boolean, refuse: (reason: string) => void): void {
  afterPaint(() => {
    void getValidators()
      .then((module) => module.zodRefusal(raw))
      .then((reason) => {
        performance.mark('steplens:verified');
        if (reason !== undefined && stillShown()) refuse(reason);
      });
  });
}

const DOES_NOT_PARSE = 'The run embedded in this page does not parse as a StepLens run';

function vscodeHost(api: VsCodeApi): HostSeam {
  return {
    readOnly: false,
    post: (message) => api.postMessage(message),
    listen: (listener) => {
      const queue: unknown[] = [];
      let shows = 0;
      const deliver = (message: HostMessage) => {
        // Says when the frame showing a run has been painted: the integration suite times opening one.
        if (message.type === 'run/show')
          afterPaint(() => api.postMessage({ type: 'panel/painted', runId: message.run.id }));
        const handling = performance.now();
        try {
          listener(message);
        } catch (error) {
          // Reported as before, without stalling the messages queued behind this one.
          queueMicrotask(() => {
            throw error;
          });
        }
        performance.measure(`steplens:handle ${message.type}`, { start: handling, end: performance.now() });
      };
      const dropped = (data: unknown, reason?: string) =>
        api.postMessage({
          type: 'log/error',
          message:
            `dropped a host message that does not parse: ${String((data as { type?: unknown })?.type)}${reason ? ` (${reason})` : ''}`.slice(
              0,
              2000,
            ),
        });
      const pump = (): void => {
        while (queue.length > 0) {
          const data = queue[0];
          const started = performance.now();
          if ((data as { type?: unknown } | null)?.type === 'run/show') {
            const light = lightCheckShow(data);
            if ('show' in light) {
              queue.shift();
              performance.measure('steplens:parse', { start: started, end: performance.now() });
              const shown = ++shows;
              deliver(light.show);
              verifyAfterPaint(
                data,
                () => shown === shows,
                (reason) => {
                  dropped(data, reason);
                  deliver({
                    type: 'view/empty',
                    message: `The run sent to this panel does not parse: ${reason}`,
                  });
                },
              );
              continue;
            }
          }
          if (!validators) {
            void getValidators().then(pump, (error: unknown) => console.error(`StepLens: ${String(error)}`));
            return;
          }
          queue.shift();
          const message = validators.parseHostMessage(data);
          performance.measure('steplens:parse', { start: started, end: performance.now() });
          if (!message) {
            dropped(data);
            continue;
          }
          if (message.type === 'run/show') shows++;
          deliver(message);
        }
      };
      window.addEventListener('message', (event: MessageEvent) => {
        queue.push(event.data);
        if (queue.length === 1) pump();
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
      const message = { type: 'run/show', readOnly: true, ...raw };
      const light = lightCheckShow(message);
      performance.mark('steplens:validated');
      if ('show' in light) {
        queueMicrotask(() => listener(light.show));
        verifyAfterPaint(
          message,
          () => true,
          (reason) => listener({ type: 'view/empty', message: `${DOES_NOT_PARSE}: ${reason}` }),
        );
        return;
      }
      // Refused by the light check: zod decides, and names what is wrong.
      void getValidators().then((module) => {
        const parsed = module.parseHostMessage(message);
        listener(
          parsed ?? {
            type: 'view/empty',
            message: `${DOES_NOT_PARSE}: ${module.zodIssue(message) ?? light.refused}`,
          },
        );
      });
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
