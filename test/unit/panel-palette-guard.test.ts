/**
 * Keys typed after F1 are a command's name for the palette, never the panel's shortcuts: a label
 * is saved the moment its key is pressed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PALETTE_TYPING_PAUSE_MS, PaletteGuard } from '../../webview/paletteGuard.js';

const key = (name: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean } = {}) => ({
  key: name,
  ctrlKey: mods.ctrlKey ?? false,
  metaKey: mods.metaKey ?? false,
  shiftKey: mods.shiftKey ?? false,
});

/** Which of `keys`, pressed at the given times, the page would act on. */
function actedOn(guard: PaletteGuard, keys: [string, number][]): string[] {
  return keys.filter(([name, at]) => !guard.swallows(key(name), at)).map(([name]) => name);
}

test('after F1 the typed letters are dropped until the typing pauses', () => {
  const guard = new PaletteGuard();
  const pause = PALETTE_TYPING_PAUSE_MS;
  // "Developer: Reload" typed at 200 ms a key, then a pause, then the panel's keys again.
  const typed: [string, number][] = [...'Developer'].map((letter, i) => [letter, 100 + i * 200]);
  const last = typed.at(-1)![1];
  assert.deepEqual(
    actedOn(guard, [
      ['F1', 0],
      ...typed,
      ['e', last + pause - 1],
      ['1', last + pause * 2],
      ['j', last + pause * 2 + 50],
    ]),
    ['1', 'j'],
  );
});

test('Escape or Enter ends the typing for the palette; the key itself is dropped', () => {
  for (const end of ['Escape', 'Enter']) {
    const guard = new PaletteGuard();
    assert.deepEqual(
      actedOn(guard, [
        ['F1', 0],
        ['a', 10],
        [end, 20],
        ['j', 30],
      ]),
      ['j'],
      end,
    );
  }
});

test('losing the focus (the palette took it) ends it at once', () => {
  const guard = new PaletteGuard();
  assert.equal(guard.swallows(key('F1'), 0), true);
  guard.focusLost();
  assert.equal(guard.swallows(key('e'), 10), false);
});

test('Ctrl+Shift+P and ⌘+Shift+P open the palette too; other keys never start the guard', () => {
  for (const mods of [
    { ctrlKey: true, shiftKey: true },
    { metaKey: true, shiftKey: true },
  ]) {
    const guard = new PaletteGuard();
    assert.equal(guard.swallows(key('P', mods), 0), true);
    assert.equal(guard.swallows(key('1'), 100), true);
  }
  const guard = new PaletteGuard();
  assert.deepEqual(
    actedOn(guard, [
      ['P', 0],
      ['e', 10],
      ['F2', 20],
      ['1', 30],
    ]),
    ['P', 'e', 'F2', '1'],
  );
});
