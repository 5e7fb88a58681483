/**
 * The rubric shown beside the audit queue, so every annotator labels by the same rules: a dataset's
 * `rubric.md` (or the file a setting names), else the default below. The file is read as a small
 * safe subset of Markdown — headings, paragraphs, lists, fenced code, **bold**, *italic*, `code` —
 * parsed into blocks of plain text that the page puts in as text nodes: HTML in the file stays
 * visible text, links stay text, nothing is fetched.
 */

export const DEFAULT_RUBRIC = `# How to label a step

Judge each step on its own, given the problem and the steps before it. Do not judge it by where the solution ends up: a step can be right in a solution whose final answer is wrong, and wrong in one that happens to reach the right answer.

## Ratings (the scale PRM800K used)

- **+1 good (key 3)**: correct, and it moves the solution forward. Someone checking the work would accept it as written.
- **0 neutral (key 2)**: not wrong, but it adds nothing or little: restating the problem, a plan with no work in it, a check that repeats an earlier result, an aside. Also a step that is reasonable but too vague to verify.
- **−1 wrong (key 1)**: a mistake of any kind: an arithmetic or algebra slip, a false claim, a misread problem, a condition dropped, a guess presented as a result, or a step that only follows from an earlier mistake.

## The first error (key e)

The first error of a solution is its earliest step rated −1. Pressing **e** marks the step shown as the first error of its sample: every step before it counts as not wrong, and the steps after it do not need labels, so the queue moves on to the next sample. Key **0** says the whole sample has no error.

## When unsure

- Re-derive the step yourself rather than trusting either judge's score.
- A step that is correct but badly explained is 0, not −1.
- If you cannot decide, skip it (key n) and come back later; the queue keeps it unlabelled.
- Undo (key u) takes back your last label, even after the queue has moved on.
`;

export interface InlineSpan {
  text: string;
  strong?: true;
  em?: true;
  code?: true;
}

export type RubricBlock =
  | { kind: 'heading'; level: number; spans: InlineSpan[] }
  | { kind: 'paragraph'; spans: InlineSpan[] }
  | { kind: 'list'; ordered: boolean; items: InlineSpan[][] }
  | { kind: 'code'; text: string };

/** Longer files are cut here: a rubric is a page, not a book, and the page must stay quick. */
export const RUBRIC_MAX_CHARS = 100_000;

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*|__[^_\n]+__)|(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)/g;

export function inlineSpans(text: string): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) spans.push({ text: text.slice(last, match.index) });
    const whole = match[0];
    if (match[1]) spans.push({ text: whole.slice(1, -1), code: true });
    else if (match[2]) spans.push({ text: whole.slice(2, -2), strong: true });
    else spans.push({ text: whole.slice(1, -1), em: true });
    last = match.index + whole.length;
  }
  if (last < text.length) spans.push({ text: text.slice(last) });
  return spans;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

export function parseRubric(source: string): RubricBlock[] {
  const lines = source.slice(0, RUBRIC_MAX_CHARS).replace(/\r\n?/g, '\n').split('\n');
  const blocks: RubricBlock[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', spans: inlineSpans(paragraph.join(' ')) });
    paragraph = [];
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(inlineSpans) });
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      const fence = line.trim().slice(0, 3);
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence); i++) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, spans: inlineSpans(heading[2]!) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? undefined : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const ordered = numbered !== undefined && numbered !== null;
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[1]!);
      continue;
    }
    // A line after a list item, indented or not, continues that item (a wrapped line).
    if (list && list.items.length > 0) list.items[list.items.length - 1] += ` ${line.trim()}`;
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}
