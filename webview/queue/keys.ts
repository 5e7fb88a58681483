/**
 * The queue's keys. Labelling keys are the panel's own (webview/keys.ts), taken from its map so the
 * two never drift: 1 / 2 / 3 rate, e first error here, 0 no error, s / p / b / x who was right, u
 * undo, m a note on the step. Moving is the queue's: n (or j, →) skips, k (or ←) goes back; g orders problem by problem.
 */
import { KEYMAP } from '../keys.js';
import type { QueueAction } from './state.js';

const FROM_PANEL = new Set(['rate', 'firstErrorHere', 'noError', 'who', 'note', 'undo', 'help', 'escape']);

export const QUEUE_KEYMAP: Record<string, QueueAction> = {
  ...Object.fromEntries(
    Object.entries(KEYMAP).filter(([, action]) => FROM_PANEL.has(action.kind)) as [string, QueueAction][],
  ),
  n: { kind: 'skip' },
  j: { kind: 'skip' },
  ArrowRight: { kind: 'skip' },
  k: { kind: 'back' },
  ArrowLeft: { kind: 'back' },
  f: { kind: 'unlabelledOnly' },
  g: { kind: 'toggleOrder' },
  o: { kind: 'openRun' },
  r: { kind: 'rubric' },
};

/** The key of the panel's map for an action kind (and value): what the page's key bar shows. */
export function panelKey(predicate: (action: QueueAction) => boolean): string {
  return Object.entries(QUEUE_KEYMAP).find(([, action]) => predicate(action))?.[0] ?? '';
}

export const QUEUE_KEY_HELP: [string, string][] = [
  ['1 / 2 / 3', 'rate the step −1 (wrong) / 0 (neutral) / +1 (good), then the next item'],
  ['e', 'this step is the first error of its sample, then the next sample'],
  ['0', 'this sample has no error, then the next sample'],
  ['s / p / b / x', 'who was right here: self / PRM / both / neither (stays on the item)'],
  ['m', 'your note on the step: write / edit (Enter saves, Esc cancels); others’ notes show with it'],
  ['u', 'undo the last label (goes back to its item)'],
  ['n / j / →', 'skip: the next item, unlabelled'],
  ['k / ←', 'back: the item shown before'],
  ['f', 'unlabelled items only on / off'],
  ['g', 'order: strongest first / problem by problem (each problem’s items together)'],
  ['o', "open the item's run in the StepLens panel"],
  ['r', 'show / hide the rubric'],
  ['PgUp / PgDn', 'a screen up / down, none of it left under the header or the key bar'],
  ['?', 'this help'],
];
