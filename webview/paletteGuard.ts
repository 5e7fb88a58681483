/**
 * After F1 (or Ctrl/⌘+Shift+P) what a person types is a command's name for VS Code's palette. The
 * palette may open late on a loaded machine, or the focused webview may keep the F1 (seen in
 * code-server): the letters then reach the page as shortcuts, and labels are saved at once ("e"
 * marks a first error, "1" rates a step). So every key after a palette key is dropped until the
 * typing pauses, Escape or Enter ends it, or the page loses the focus (the palette took it, and
 * with it the typing: a key the page gets after that comes after the focus came back).
 */

/** The pause that ends typing meant for the palette. */
export const PALETTE_TYPING_PAUSE_MS = 1500;

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export function opensPalette(event: KeyLike): boolean {
  return (
    event.key === 'F1' ||
    ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === 'p')
  );
}

export class PaletteGuard {
  private until = 0;

  /** Whether the page ignores this key (true for the palette key itself). */
  swallows(event: KeyLike, now: number): boolean {
    if (opensPalette(event)) {
      this.until = now + PALETTE_TYPING_PAUSE_MS;
      return true;
    }
    if (now >= this.until) return false;
    if (event.key === 'Escape' || event.key === 'Enter') this.until = 0;
    else this.until = now + PALETTE_TYPING_PAUSE_MS;
    return true;
  }

  /** The page lost the focus: the palette (or whatever took it) has the typing. */
  focusLost(): void {
    this.until = 0;
  }
}

/**
 * The guard for this page (the window): keys are checked at the capture phase, before any shortcut
 * handler; losing the focus ends the guard. Typed as a plain EventTarget so the guard's logic is
 * unit-tested in Node.
 */
export function guardAgainstPaletteTyping(target = globalThis as unknown as EventTarget): void {
  const guard = new PaletteGuard();
  target.addEventListener('blur', () => guard.focusLost());
  target.addEventListener(
    'keydown',
    (event) => {
      const key = event as Event & KeyLike;
      if (!guard.swallows(key, performance.now())) return;
      // F1 itself must still reach VS Code (the webview forwards it); the rest stops here.
      if (!opensPalette(key)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    { capture: true },
  );
}
