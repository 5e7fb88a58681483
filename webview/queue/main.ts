/**
 * The Audit Queue page's script: host messages (parsed with the protocol's zod schemas; what does
 * not parse is dropped and logged) and keys go to the state (state.ts), the effects it returns are
 * posted, and the page is drawn again (view.ts). One item is on screen, so a full redraw is cheap.
 */
import { parseQueueHostMessage, type QueueWebviewMessage } from '../../src/protocol.js';
import { guardAgainstPaletteTyping } from '../paletteGuard.js';
import { QUEUE_KEYMAP } from './keys.js';
import { type QueueAction, type QueueEffects, QueueState } from './state.js';
import { renderQueue, scrollPage } from './view.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The webview's state: what the queue is of (the host reopens it after a window reload) and the page's view. */
interface PageState {
  source?: unknown;
  queue?: unknown;
}

const acquire = (window as unknown as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
const root = document.getElementById('queue-app');

if (root && acquire) {
  const api = acquire();
  const post = (message: QueueWebviewMessage) => api.postMessage(message);
  const pageId = Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');
  // VS Code drops a hidden queue's page and loads it again: this page takes up where that one was.
  const before = (api.getState() ?? {}) as PageState;
  const state = new QueueState(pageId, before.queue);
  // The host checks the source when it reopens the queue; kept as it was until a queue says its own.
  let source = before.source;
  const save = () => {
    const queue = state.saved();
    api.setState({ ...(source !== undefined ? { source } : {}), ...(queue ? { queue } : {}) });
  };
  const apply = (effects: QueueEffects, byHost = false) => {
    for (const message of effects.post) post(message);
    if (effects.render) renderQueue(root, state, dispatch, byHost);
    // On every change, a note's keys too: a page hidden mid-sentence comes back with the sentence.
    save();
  };
  const dispatch = (action: QueueAction) => apply(state.apply(action));
  window.addEventListener('message', (event: MessageEvent) => {
    const message = parseQueueHostMessage(event.data);
    if (!message) {
      post({
        type: 'log/error',
        message: `dropped a host message that does not parse: ${String((event.data as { type?: unknown })?.type)}`,
      });
      return;
    }
    // What the queue is of, for VS Code to reopen it after a window reload.
    if (message.type === 'queue/show') source = message.source;
    apply(state.receive(message), true);
  });
  guardAgainstPaletteTyping();
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input[type="text"], textarea, select') || target?.isContentEditable) return;
    if ((event.key === 'PageUp' || event.key === 'PageDown') && !event.shiftKey) {
      event.preventDefault();
      scrollPage(root, event.key === 'PageDown' ? 1 : -1);
      return;
    }
    const action = QUEUE_KEYMAP[event.key];
    if (!action || !state.loaded) return;
    event.preventDefault();
    dispatch(action);
  });
  renderQueue(root, state, dispatch);
  post({ type: 'ready' });
} else if (root) {
  root.textContent = 'The audit queue needs the VS Code webview.';
}
