/**
 * Text with TeX in it, rendered safely: prose becomes text nodes, math goes through KaTeX with
 * trust off (no \href, \url, \includegraphics or HTML extensions), so model output can never
 * become markup of its own. Typeset math is cached, since the same steps scroll into view again;
 * math not yet cached is typeset in slices of a few milliseconds per frame, showing its TeX source
 * meanwhile, so that opening a sample of 300 steps never blocks the page.
 *
 * KaTeX itself (half the panel's code, and its stylesheet with fonts) is not in the panel's bundle:
 * the page carries it as a deferred asset (lazyAssets.ts), loaded after the panel's first paint, so
 * the problem and the first steps appear as text first and their math is typeset a moment later.
 */
import { afterPaint, type KatexApi, katexStyled, loadKatex } from './lazyAssets.js';

/**
 * Display $$…$$ and \[…\], inline \(…\) and $…$, and a bare \boxed{…} (models often write the final
 * answer outside math mode), with up to two levels of nested braces. An inline `$` opens math only
 * when a non-space follows it and closes it only after a non-space and before no digit (pandoc's
 * rule), and `\$` never opens math: "costs $12,000 and then $1,500" is prose, not math.
 */
const DELIMITERS =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(?<!\\)\$(?![\s$])((?:[^$\n\\]|\\[^\n])*?)(?<![\s\\])\$(?!\d)|(\\boxed\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})/g;
const cache = new Map<string, string>();
const CACHE_LIMIT = 20_000;
/** Milliseconds of typesetting per frame; the rest waits for the next frame. */
const FRAME_BUDGET_MS = 8;

let katex: KatexApi | undefined;
let katexRequested = false;

function cacheKey(tex: string, displayMode: boolean): string {
  return `${displayMode ? 'D' : 'I'}${tex}`;
}

function typeset(engine: KatexApi, tex: string, displayMode: boolean): string {
  const key = cacheKey(tex, displayMode);
  let html = cache.get(key);
  if (html === undefined) {
    html = engine.renderToString(tex, {
      displayMode,
      throwOnError: false,
      trust: false,
      strict: 'ignore',
      maxSize: 20,
      maxExpand: 500,
      output: 'html',
    });
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, html);
  }
  return html;
}

interface PendingMath {
  element: HTMLElement;
  tex: string;
  display: boolean;
}

const pending: PendingMath[] = [];
let scheduled = false;

function fill(element: HTMLElement, html: string): void {
  // KaTeX's own output, with trust off, from a string it escaped: the one place HTML is assigned.
  element.innerHTML = html;
  element.classList.remove('math-pending');
}

function drain(): void {
  scheduled = false;
  const engine = katex;
  if (!engine) return;
  const start = performance.now();
  while (pending.length > 0 && performance.now() - start < FRAME_BUDGET_MS) {
    const job = pending.shift()!;
    // A row scrolled away before its turn is skipped; it is typeset again if it comes back.
    if (job.element.isConnected) fill(job.element, typeset(engine, job.tex, job.display));
  }
  if (pending.length > 0) schedule();
}

function schedule(): void {
  if (!katex) {
    requestKatex();
    return;
  }
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(drain);
}

/**
 * The faces nearly all typeset math uses: upright and italic letters, and the larger operators and
 * delimiters of display math. KaTeX's faces block (the browser's default): text set in a face not
 * yet loaded is invisible, so math would vanish for a frame or more when typeset.
 */
const MATH_FACES = ['1em KaTeX_Main', 'italic 1em KaTeX_Math', '1em KaTeX_Size1', '1em KaTeX_Size2'];
/** Past this the math is typeset anyway: a face that never loads must not keep the TeX source up. */
const MATH_FACES_WAIT_MS = 1500;

/** Resolves when the common math faces have loaded (or failed, or the wait ran out). */
function mathFacesLoaded(): Promise<void> {
  const loading = Promise.all(MATH_FACES.map((face) => document.fonts.load(face).catch(() => [])));
  const waited = new Promise((resolve) => setTimeout(resolve, MATH_FACES_WAIT_MS));
  return Promise.race([loading, waited]).then(() => undefined);
}

/**
 * Loads KaTeX once, after the frame being prepared now has been painted (lazyAssets.afterPaint),
 * and its common faces before any math is typeset: until then the TeX source stays readable.
 */
function requestKatex(): void {
  if (katexRequested) return;
  katexRequested = true;
  afterPaint(() => {
    // The faces load while KaTeX's script loads and runs, from the moment its stylesheet applies.
    const faces = katexStyled().then(mathFacesLoaded);
    void Promise.all([loadKatex(), faces]).then(([engine]) => {
      if (!engine) return;
      performance.mark('steplens:katex');
      katex = engine;
      schedule();
    });
  });
}

/** Appends `text` to `parent`, math typeset (now if cached, else within a few frames), the rest as text. */
export function appendMathText(parent: HTMLElement, text: string, options: { defer?: boolean } = {}): void {
  let last = 0;
  for (const match of text.matchAll(DELIMITERS)) {
    if (match.index > last) parent.append(document.createTextNode(text.slice(last, match.index)));
    const displayTex = match[1] ?? match[2];
    const display = displayTex !== undefined;
    const tex = displayTex ?? match[3] ?? match[4] ?? match[5] ?? '';
    const element = document.createElement(display ? 'div' : 'span');
    element.className = display ? 'math math-display' : 'math';
    const cached = cache.get(cacheKey(tex, display));
    if (cached !== undefined) fill(element, cached);
    else if (katex && !options.defer) fill(element, typeset(katex, tex, display));
    else {
      element.classList.add('math-pending');
      element.textContent = match[0];
      pending.push({ element, tex, display });
      schedule();
    }
    parent.append(element);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/** Math elements still waiting to be typeset (the tests wait for none). */
export function pendingMath(): number {
  return pending.length;
}
