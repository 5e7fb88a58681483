/**
 * Text with TeX in it, rendered safely: prose becomes text nodes, math goes through KaTeX with
 * trust off (no \href, \url, \includegraphics or HTML extensions), so model output can never
 * become markup of its own. Rendered math is cached, since the same steps scroll into view again.
 */
import katex from 'katex';

// Display $$…$$ and \[…\], inline \(…\) and $…$, and a bare \boxed{…} (models often write the final
// answer outside math mode), with up to two levels of nested braces.
const DELIMITERS =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$([^$\n]+?)\$|(\\boxed\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})/g;
const cache = new Map<string, string>();
const CACHE_LIMIT = 5000;

function renderTex(tex: string, displayMode: boolean): string {
  const key = `${displayMode ? 'D' : 'I'}${tex}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = katex.renderToString(tex, {
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

/** Appends `text` to `parent`, math typeset, everything else as plain text. */
export function appendMathText(parent: HTMLElement, text: string): void {
  let last = 0;
  for (const match of text.matchAll(DELIMITERS)) {
    if (match.index > last) parent.append(document.createTextNode(text.slice(last, match.index)));
    const display = match[1] ?? match[2];
    const tex = display ?? match[3] ?? match[4] ?? match[5] ?? '';
    const span = document.createElement(display !== undefined ? 'div' : 'span');
    span.className = display !== undefined ? 'math math-display' : 'math';
    // KaTeX's own output, with trust off, from a string it escaped: the one place HTML is assigned.
    span.innerHTML = renderTex(tex, display !== undefined);
    parent.append(span);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

export function mathCacheSize(): number {
  return cache.size;
}
