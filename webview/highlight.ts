/**
 * Marks search matches in a step's text as the panel drew it (math.ts: prose as text nodes, math
 * as elements). A match is found in the step's source, so its offsets are mapped onto those
 * nodes: prose in a match is wrapped in <mark> elements made with the DOM (the text stays text),
 * and a formula holding part of a match is outlined whole, since its typeset glyphs are not its
 * source.
 */

export interface MarkRange {
  start: number;
  end: number;
  current: boolean;
}

interface Piece {
  node: Text | Element;
  start: number;
  end: number;
}

/** Characters a formula's source ends with ($…$, \[…\], \(…\), \boxed{…}). */
const MATH_END = '$])}';

/**
 * Where each child of `container` lies in `source`; undefined when they cannot be lined up (the
 * drawing is not the source's), so that no mark is ever put in the wrong place.
 */
function pieces(container: HTMLElement, source: string): Piece[] | undefined {
  const out: Piece[] = [];
  let cursor = 0;
  let maths: Element[] = [];
  for (const node of container.childNodes) {
    if (node instanceof Text) {
      let at: number;
      if (maths.length === 0) at = source.startsWith(node.data, cursor) ? cursor : -1;
      else {
        // Prose after a formula starts where the formula's source ends, just after its delimiter.
        at = source.indexOf(node.data, cursor + 1);
        while (at !== -1 && !MATH_END.includes(source[at - 1]!)) at = source.indexOf(node.data, at + 1);
      }
      if (at === -1) return undefined;
      for (const math of maths) out.push({ node: math, start: cursor, end: at });
      maths = [];
      out.push({ node, start: at, end: at + node.data.length });
      cursor = at + node.data.length;
    } else if (node instanceof Element) maths.push(node);
  }
  for (const math of maths) out.push({ node: math, start: cursor, end: source.length });
  return out;
}

/** Marks `ranges` (offsets into `source`, the text `container` shows) in `container`. */
export function markMatches(container: HTMLElement, source: string, ranges: readonly MarkRange[]): void {
  if (ranges.length === 0) return;
  const laid = pieces(container, source);
  if (!laid) return;
  for (const piece of laid) {
    const within = ranges.filter((range) => range.start < piece.end && range.end > piece.start);
    if (within.length === 0) continue;
    if (!(piece.node instanceof Text)) {
      piece.node.classList.add('search-hit');
      if (within.some((range) => range.current)) piece.node.classList.add('current-match');
      continue;
    }
    // From the last range back, so the offsets of the ones before stay right.
    const text = piece.node;
    for (const range of [...within].sort((a, b) => b.start - a.start)) {
      const from = Math.max(range.start, piece.start) - piece.start;
      const to = Math.min(range.end, piece.end) - piece.start;
      if (to < text.data.length) text.splitText(to);
      const middle = from > 0 ? text.splitText(from) : text;
      const mark = document.createElement('mark');
      mark.className = range.current ? 'search-match current-match' : 'search-match';
      middle.replaceWith(mark);
      mark.append(middle);
      if (from === 0) break;
    }
  }
}
