/**
 * Splitting a solution into steps, and separating a reasoning trace from the answer text.
 *
 * Blocks that a reader sees as one unit (fenced code, `$$…$$`, `\[…\]`, `\begin{…}…\end{…}`) are
 * never cut, even when they hold blank lines: a PRM scores what a person would call one step.
 */

export const STEP_STRATEGIES = ['paragraph', 'lines', 'markers', 'auto'] as const;
export type StepStrategy = (typeof STEP_STRATEGIES)[number];

export function isStepStrategy(value: string): value is StepStrategy {
  return (STEP_STRATEGIES as readonly string[]).includes(value);
}

interface ScannedLine {
  text: string;
  /** A block that must not be split is open when this line starts. */
  openBefore: boolean;
  /** Such a block is still open after this line. */
  openAfter: boolean;
}

const FENCE = /^\s*(`{3,}|~{3,})/;

function countUnescaped(line: string, token: string): number {
  let count = 0;
  let at = line.indexOf(token);
  while (at !== -1) {
    if (line[at - 1] !== '\\') count += 1;
    at = line.indexOf(token, at + token.length);
  }
  return count;
}

/**
 * Marks the lines that sit inside an unsplittable block. A block still open at the end of the
 * text was never one (a stray `\[` or `$$`, a cut-off answer): its opening line is then read as
 * plain text and the scan repeats, so one unclosed delimiter cannot swallow the rest of a solution.
 */
function scanLines(text: string): ScannedLine[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const ignored = new Set<number>();
  for (;;) {
    const { scanned, unclosedFrom } = scanOnce(lines, ignored);
    // Each pass ignores a line it has not ignored before (an ignored line never opens a block), so this ends.
    if (unclosedFrom === null) return scanned;
    ignored.add(unclosedFrom);
  }
}

function scanOnce(
  lines: string[],
  ignored: ReadonlySet<number>,
): { scanned: ScannedLine[]; unclosedFrom: number | null } {
  const scanned: ScannedLine[] = [];
  let fence: string | null = null;
  let inDollarDisplay = false;
  let bracketDepth = 0;
  let environmentDepth = 0;
  let openedAt: number | null = null;

  for (const [index, line] of lines.entries()) {
    // Lines are ignored in the order they are found, each the opener of the first unclosed block: nothing
    // before an ignored line changes in later passes, so no block is ever open around it.
    if (ignored.has(index)) {
      scanned.push({ text: line, openBefore: false, openAfter: false });
      continue;
    }
    if (fence !== null) {
      const match = FENCE.exec(line);
      if (match?.[1] && match[1][0] === fence[0] && match[1].length >= fence.length) fence = null;
      scanned.push({ text: line, openBefore: true, openAfter: fence !== null });
      if (fence === null) openedAt = null;
      continue;
    }
    const wasProtected = inDollarDisplay || bracketDepth > 0 || environmentDepth > 0;
    const opening = wasProtected ? null : FENCE.exec(line);
    if (opening?.[1]) {
      fence = opening[1];
      openedAt = index;
      scanned.push({
        text: line,
        // Stryker disable next-line BooleanLiteral: a fence line is not blank, a heading or a numbered item, so nothing reads it
        openBefore: false,
        openAfter: true,
      });
      continue;
    }
    if (countUnescaped(line, '$$') % 2 === 1) inDollarDisplay = !inDollarDisplay;
    bracketDepth = Math.max(0, bracketDepth + countUnescaped(line, '\\[') - countUnescaped(line, '\\]'));
    environmentDepth = Math.max(
      0,
      environmentDepth + countUnescaped(line, '\\begin{') - countUnescaped(line, '\\end{'),
    );
    const nowProtected = inDollarDisplay || bracketDepth > 0 || environmentDepth > 0;
    if (!wasProtected && nowProtected) openedAt = index;
    if (!nowProtected) openedAt = null;
    scanned.push({ text: line, openBefore: wasProtected, openAfter: nowProtected });
  }
  return { scanned, unclosedFrom: openedAt };
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function finish(chunks: string[][]): string[] {
  return chunks.map((chunk) => chunk.join('\n').trim()).filter((step) => step !== '');
}

function splitParagraphs(text: string): string[] {
  const chunks: string[][] = [[]];
  for (const line of scanLines(text)) {
    if (isBlank(line.text) && !line.openBefore) {
      chunks.push([]);
    } else {
      chunks[chunks.length - 1]!.push(line.text);
    }
  }
  return finish(chunks);
}

function splitLines(text: string): string[] {
  const chunks: string[][] = [];
  let continuing = false;
  for (const line of scanLines(text)) {
    if (continuing) {
      chunks[chunks.length - 1]!.push(line.text);
    } else {
      chunks.push([line.text]);
    }
    continuing = line.openAfter;
  }
  return finish(chunks);
}

const STEP_HEADING = /^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*step\s+\d+\s*(?:[:.)\-–]|\*\*|__|$)/i;
const NUMBERED_ITEM = /^\s*(\d{1,3})[.)]\s+\S/;

function stepHeadingLines(lines: ScannedLine[]): number[] {
  const starts: number[] = [];
  lines.forEach((line, index) => {
    if (!line.openBefore && STEP_HEADING.test(line.text)) starts.push(index);
  });
  return starts;
}

/** Numbered items count as markers only as a run 1, 2, 3, … so a stray "3." inside prose does not split. */
function numberedItemLines(lines: ScannedLine[]): number[] {
  const starts: number[] = [];
  let expected = 1;
  lines.forEach((line, index) => {
    if (line.openBefore) return;
    const match = NUMBERED_ITEM.exec(line.text);
    if (match && Number(match[1]) === expected) {
      starts.push(index);
      expected += 1;
    }
  });
  return starts;
}

function markerStarts(text: string): { lines: ScannedLine[]; starts: number[] } {
  const lines = scanLines(text);
  const headings = stepHeadingLines(lines);
  return { lines, starts: headings.length > 0 ? headings : numberedItemLines(lines) };
}

function splitMarkers(text: string): string[] {
  const { lines, starts } = markerStarts(text);
  if (starts.length === 0) return splitParagraphs(text);
  const chunks: string[][] = [];
  const preamble = lines.slice(0, starts[0]).map((line) => line.text);
  chunks.push(preamble);
  starts.forEach((start, i) => {
    const end = starts[i + 1] ?? lines.length;
    chunks.push(lines.slice(start, end).map((line) => line.text));
  });
  return finish(chunks);
}

function chooseStrategy(text: string): Exclude<StepStrategy, 'auto'> {
  if (markerStarts(text).starts.length >= 2) return 'markers';
  if (splitParagraphs(text).length >= 2) return 'paragraph';
  return 'lines';
}

export function splitSteps(text: string, strategy: StepStrategy = 'paragraph'): string[] {
  switch (strategy) {
    case 'paragraph':
      return splitParagraphs(text);
    case 'lines':
      return splitLines(text);
    case 'markers':
      return splitMarkers(text);
    case 'auto':
      return splitSteps(text, chooseStrategy(text));
  }
}

export interface SeparatedOutput {
  /** The model's private reasoning, when it wrote one. */
  reasoning?: string;
  /** The text meant for the reader: what gets split into steps and searched for an answer. */
  answerText: string;
}

/**
 * Reasoning models put their trace in `<think>…</think>`; some chat templates emit the opening tag
 * in the prompt, so the output holds only the closing tag. A trace cut off by max_tokens has only the
 * opening tag: then everything is reasoning and there is no answer text.
 */
export function separateReasoning(text: string): SeparatedOutput {
  const open = text.indexOf('<think>');
  const close = text.indexOf('</think>', open); // from 0 when there is no opening tag (open is -1)
  if (close !== -1) {
    const start = open === -1 ? 0 : open + '<think>'.length;
    const reasoning = text.slice(start, close).trim();
    const before = open === -1 ? '' : text.slice(0, open);
    const answerText = (before + text.slice(close + '</think>'.length)).trim();
    return reasoning === '' ? { answerText } : { reasoning, answerText };
  }
  if (open !== -1) {
    const reasoning = text.slice(open + '<think>'.length).trim();
    const answerText = text.slice(0, open).trim();
    return reasoning === '' ? { answerText } : { reasoning, answerText };
  }
  return { answerText: text.trim() };
}
