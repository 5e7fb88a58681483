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
  | { kind: 'escape' };

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
};

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
  ['?', 'this help'],
];
