/**
 * Building DOM from code: `h()` makes an element whose string children become text nodes, never
 * markup. The views use `h()` (not lit-html): rows of the virtual lists are plain elements made
 * and dropped as they scroll, and every string from a run reaches the page as text this way.
 */
import { icon } from './components.js';
import { appendMathText } from './math.js';
import { texToText } from './texText.js';

export type Child = Node | string | null | undefined | false;

/** Builds an element; strings become text nodes, never markup. */
export function h(
  tag: string,
  props: { class?: string; title?: string; [attr: string]: string | undefined } = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'class') element.className = value;
    else element.setAttribute(key, value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function replace(element: HTMLElement, ...children: Child[]): void {
  element.replaceChildren(
    ...children.filter(
      (child): child is Node | string => child !== null && child !== undefined && child !== false,
    ),
  );
}

/** Text with TeX in it (an answer, a problem): math typeset safely, the rest as text. */
export function mathNode(text: string, className?: string): HTMLElement {
  const span = document.createElement('span');
  if (className) span.className = className;
  appendMathText(span, text);
  return span;
}

/** An answer: never broken inside (no "7/3" for 73); a long one is cut with an ellipsis, whole in its tooltip. */
export function answerNode(answer: string | null, options: { asText?: boolean } = {}): HTMLElement {
  if (answer === null) return h('span', { class: 'answer-text' }, '–');
  // An answer from \boxed{…} is TeX without delimiters: typeset it when it has TeX in it, or, in a
  // narrow cell (asText), write it as text one reads as the formula: an inline \frac{26}{435} sets
  // its digits at 70 %, about 9 px in a side bar.
  const tex = /[\\^_{}]/.test(answer) && !answer.includes('$');
  if (tex && options.asText) {
    const node = h('span', { class: 'answer-text' }, texToText(answer));
    node.title = answer;
    return node;
  }
  // Typeset at display size: inline, a fraction's digits would be 70 % of the text's.
  const node = mathNode(tex ? `$\\displaystyle ${answer}$` : answer, 'answer-text');
  node.title = answer;
  return node;
}

export function correctness(correct: boolean | undefined): HTMLElement | string {
  if (correct === undefined) return '';
  return icon(correct ? 'pass' : 'error', correct ? 'matches the reference' : 'does not match the reference');
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
