/** The keyboard map: one place, shown as it is in the help overlay. */
export type KeyAction =
  | { kind: 'step'; delta: 1 | -1 }
  | { kind: 'sample'; delta: 1 | -1 }
  | { kind: 'nextDisagreement' }
  | { kind: 'rate'; rating: -1 | 0 | 1 }
  | { kind: 'who'; who: 'self' | 'prm' | 'both' | 'neither' }
  | { kind: 'firstErrorHere' }
  | { kind: 'noError' }
  | { kind: 'note' }
  | { kind: 'undo' }
  | { kind: 'filter' }
  | { kind: 'help' }
  | { kind: 'escape' }
  | { kind: 'find' }
  | { kind: 'findNext'; delta: 1 | -1 };

export const KEYMAP: Record<string, KeyAction> = {
  j: { kind: 'step', delta: 1 },
  ArrowDown: { kind: 'step', delta: 1 },
  k: { kind: 'step', delta: -1 },
  ArrowUp: { kind: 'step', delta: -1 },
  J: { kind: 'sample', delta: 1 },
  K: { kind: 'sample', delta: -1 },
  n: { kind: 'nextDisagreement' },
  '1': { kind: 'rate', rating: -1 },
  '2': { kind: 'rate', rating: 0 },
  '3': { kind: 'rate', rating: 1 },
  s: { kind: 'who', who: 'self' },
  p: { kind: 'who', who: 'prm' },
  b: { kind: 'who', who: 'both' },
  x: { kind: 'who', who: 'neither' },
  e: { kind: 'firstErrorHere' },
  '0': { kind: 'noError' },
  m: { kind: 'note' },
  u: { kind: 'undo' },
  f: { kind: 'filter' },
  '?': { kind: 'help' },
  Escape: { kind: 'escape' },
  '/': { kind: 'find' },
  F3: { kind: 'findNext', delta: 1 },
  'Shift+F3': { kind: 'findNext', delta: -1 },
};

/**
 * The key map's name for a key press: a named key (F3, Enter) with Shift is "Shift+F3"; a
 * character is itself, Shift already in it ("J").
 */
export function keyName(event: { key: string; shiftKey: boolean }): string {
  return event.shiftKey && event.key.length > 1 ? `Shift+${event.key}` : event.key;
}

/** The action of a key press, if the map has one (Shift+↓ is ↓: only some named keys differ with Shift). */
export function keyAction(event: { key: string; shiftKey: boolean }): KeyAction | undefined {
  return KEYMAP[keyName(event)] ?? KEYMAP[event.key];
}

export const KEY_HELP: [string, string][] = [
  ['j / k', 'next / previous step'],
  ['J / K', 'next / previous sample'],
  ['n', 'next disagreement'],
  ['1 / 2 / 3', 'rate the step −1 (wrong) / 0 (neutral) / +1 (good); again to clear'],
  ['s / p / b / x', 'who was right here: self / PRM / both / neither'],
  ['e', 'the human first error is this step (again to clear)'],
  ['0', 'this sample has no error'],
  ['m', 'write a note on the step'],
  ['u', 'undo the last label'],
  ['f', 'only disagreements on / off'],
  [
    '/',
    'search the steps: Enter / Shift+Enter next / previous match, Tab on to the sample filters and sort, Esc back (again: clear the search)',
  ],
  ['F3 / Shift+F3', 'next / previous match'],
  ['?', 'this help'],
];
