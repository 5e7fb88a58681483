/**
 * The adjudication view's script: one disagreement in focus, settled from the keyboard. Host
 * messages are parsed with the protocol's zod schemas; every string from a run (problem, steps,
 * names) reaches the page through textContent, never as markup.
 */
import {
  type AdjudicateWebviewMessage,
  type AdjudicationItemMessage as Item,
  parseAdjudicateHostMessage,
} from '../../src/protocol.js';
import { appendMathText } from '../math.js';
import { guardAgainstPaletteTyping } from '../paletteGuard.js';
import { Adjudication, ANNOTATOR_KEYS, describeValue, keyAction, ratingWord } from './model.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

type Child = Node | string | null | undefined | false;

function el(tag: string, className: string | undefined, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (className) element.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Run text with its TeX typeset once KaTeX has loaded (after the first paint), the rest as text. */
function withMath(element: HTMLElement, text: string): HTMLElement {
  appendMathText(element, text, { defer: true });
  return element;
}

const score = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : value.toFixed(2);

const MOVES: [string, string][] = [
  ['u', "undo this view's last adjudication"],
  ['j / k', 'next / previous item'],
  ['n', 'next open item'],
];

/** The keys of the item in focus, always shown: the annotator keys as many as there are annotators. */
function legendRows(item: Item | undefined): [string, string][] {
  const count = Math.min(item?.values.length ?? 2, ANNOTATOR_KEYS.length);
  const take: [string, string] = [
    ANNOTATOR_KEYS.slice(0, count).join(' / '),
    `take that annotator's ${item?.kind === 'firstError' ? 'first error' : 'rating'} (keys beside their values)`,
  ];
  if (item?.kind === 'firstError')
    return [
      take,
      ['e', 'first error is the shown step'],
      ['0', 'no error'],
      ['h / l', 'show previous / next step'],
      ...MOVES,
    ];
  return [['1 / 2 / 3', 'settle as −1 / 0 / +1'], take, ...MOVES];
}

function legend(item: Item | undefined): HTMLElement {
  const rows = legendRows(item);
  return el(
    'dl',
    'legend',
    ...rows.flatMap(([keys, what]) => [
      el('dt', undefined, el('kbd', undefined, keys)),
      el('dd', undefined, what),
    ]),
  );
}

function stepBlock(item: Item, index: number, role: 'context' | 'focus'): HTMLElement {
  const judges =
    item.judges.length > 0
      ? `scores: ${item.judges.map((judge) => `${judge.judge} ${score(judge.scores[index])}`).join(' · ')}`
      : '';
  return el(
    'div',
    `step ${role}`,
    el(
      'div',
      'step-head',
      el('span', 'step-index', `step ${index}`),
      judges && el('span', 'judge-scores', judges),
    ),
    withMath(el('div', 'step-text'), item.steps[index] ?? ''),
  );
}

function itemView(state: Adjudication, item: Item): HTMLElement {
  const shown = item.kind === 'firstError' ? state.shownStep : item.step;
  const what = item.kind === 'firstError' ? 'human first error' : `rating of step ${item.step}`;
  const values = el(
    'div',
    'values',
    ...item.values.map((entry, index) =>
      el(
        'div',
        `value${item.adjudicated === entry.value ? ' chosen' : ''}`,
        el('kbd', undefined, ANNOTATOR_KEYS[index] ?? ''),
        el('span', 'who', entry.annotator),
        el('span', 'what', describeValue(item.kind, entry.value)),
        item.kind === 'rating' ? el('span', 'word', ratingWord(entry.value)) : null,
      ),
    ),
  );
  const verdicts =
    item.kind === 'firstError'
      ? el(
          'p',
          'judge-verdicts muted',
          `Judges' first errors: ${item.judges
            .map(
              (judge) =>
                `${judge.judge} ${judge.firstError === null ? 'no verdict' : describeValue('firstError', judge.firstError)}`,
            )
            .join(' · ')}`,
        )
      : null;
  return el(
    'section',
    `item ${item.adjudicated === undefined ? 'open' : 'settled'}`,
    el(
      'div',
      'item-head',
      el(
        'span',
        'where',
        // A dataset's runs are named by their problem: the run is named only where it differs.
        `${item.problemId}${item.runId === item.problemId ? '' : ` · ${item.runId}`} · sample ${item.sample} · ${what}`,
      ),
      el(
        'span',
        `state ${item.adjudicated === undefined ? 'open' : 'settled'}`,
        item.adjudicated === undefined ? 'open' : `settled: ${describeValue(item.kind, item.adjudicated)}`,
      ),
    ),
    withMath(el('p', 'problem'), item.problem),
    values,
    verdicts,
    shown > 0 ? stepBlock(item, shown - 1, 'context') : null,
    stepBlock(item, shown, 'focus'),
    item.kind === 'firstError'
      ? el(
          'p',
          'muted',
          `e names step ${shown} as the first error (h / l: steps 0–${item.steps.length - 1}).`,
        )
      : null,
  );
}

function rowOf(state: Adjudication, item: Item, index: number): { className: string; text: string } {
  const failed = state.isFailed(item);
  return {
    className: `${item.adjudicated === undefined ? 'open' : 'settled'}${failed ? ' failed' : ''}${index === state.focus ? ' focused' : ''}`,
    text: `${failed ? '✗' : item.adjudicated === undefined ? '○' : '✓'} ${item.problemId} · sample ${item.sample} · ${item.kind === 'firstError' ? 'first error' : `step ${item.step}`}`,
  };
}

/**
 * The page's lasting elements (the status line stays one live region), updated in place: a key
 * press redraws the item in focus and touches only the list rows whose state changed, so moving
 * through thousands of items does not rebuild the list.
 */
class Page {
  private readonly title = el('h1', undefined);
  private readonly progress = el('span', 'progress');
  private readonly annotator = el('span', 'muted');
  private readonly position = el('span', 'muted');
  private readonly item = el('div', 'item-host');
  private readonly status = el('p', 'status idle');
  private readonly legend = el('div', 'legend-host');
  private readonly list = el('ol', 'items');
  private readonly empty = el(
    'p',
    'empty',
    'No disagreements between annotators here: nothing to adjudicate.',
  );
  private readonly layout = el(
    'div',
    'layout',
    el('div', 'main', this.item, this.status, this.legend),
    this.list,
  );
  private rows: { element: HTMLElement; className: string; text: string }[] = [];
  private listed: readonly Item[] | undefined;

  constructor(root: HTMLElement) {
    this.status.setAttribute('role', 'status');
    root.replaceChildren(
      el('header', undefined, this.title, this.progress, this.annotator, this.position),
      this.layout,
      this.empty,
    );
  }

  render(state: Adjudication): void {
    const item = state.current;
    this.title.textContent = `Adjudicate · ${state.title}`;
    this.progress.textContent = state.progress();
    this.annotator.textContent = state.annotator ? `saving as ${state.annotator} (adjudicated)` : '';
    this.position.textContent =
      state.items.length > 0 ? `item ${state.focus + 1} of ${state.items.length}` : '';
    this.layout.hidden = !item;
    this.empty.hidden = !!item || state.title === '';
    this.item.replaceChildren(item ? itemView(state, item) : '');
    const status = state.status;
    this.status.className = `status ${status.kind}`;
    this.status.textContent = status.kind === 'idle' ? '' : status.text;
    this.legend.replaceChildren(legend(item));
    this.syncList(state);
  }

  private syncList(state: Adjudication): void {
    if (this.listed !== state.items) {
      this.listed = state.items;
      this.rows = state.items.map(() => ({ element: el('li', undefined), className: '', text: '' }));
      this.list.replaceChildren(...this.rows.map((row) => row.element));
    }
    state.items.forEach((item, index) => {
      const row = this.rows[index]!;
      const next = rowOf(state, item, index);
      if (next.className !== row.className) {
        row.element.className = next.className;
        row.className = next.className;
        if (index === state.focus) row.element.setAttribute('aria-current', 'true');
        else row.element.removeAttribute('aria-current');
      }
      if (next.text !== row.text) {
        row.element.textContent = next.text;
        row.text = next.text;
      }
    });
    this.rows[state.focus]?.element.scrollIntoView({ block: 'nearest' });
  }
}

const acquire = (window as unknown as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
const root = document.getElementById('adjudicate-app');

if (root && acquire) {
  const api = acquire();
  const post = (message: AdjudicateWebviewMessage) => api.postMessage(message);
  const state = new Adjudication(`a${Date.now().toString(36)}`);
  const view = new Page(root);
  window.addEventListener('message', (event: MessageEvent) => {
    const message = parseAdjudicateHostMessage(event.data);
    if (!message) {
      post({
        type: 'log/error',
        message: `dropped a host message that does not parse: ${String((event.data as { type?: unknown })?.type)}`,
      });
      return;
    }
    if (message.type === 'adjudicate/items') state.show(message);
    else if (message.type === 'audit/saved') state.saved(message.requestId);
    else state.failed(message.requestId, message.message);
    view.render(state);
  });
  guardAgainstPaletteTyping();
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!keyAction(event.key, state.current, state.shownStep)) return;
    event.preventDefault();
    const request = state.press(event.key);
    if (request) post({ type: 'audit/append', ...request });
    view.render(state);
  });
  view.render(state);
  post({ type: 'ready' });
} else if (root) {
  root.textContent = 'The adjudication view needs the VS Code webview.';
}
