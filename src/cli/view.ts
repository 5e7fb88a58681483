/** `steplens view RUN --html OUT`: the panel as one self-contained, read-only HTML file. */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { annotatorOf, eventsOfAnnotator } from '../core/annotators.js';
import { InputError } from '../core/errors.js';
import { auditPathForRun, describeSkipped, readAuditLog } from '../io/auditLog.js';
import { writeFileAtomic } from '../io/files.js';
import { readRun } from '../io/runFiles.js';
import { skippedLines } from '../protocol.js';
import { createNonce, panelDeferredAssets, panelHtml, scriptSafeJson } from '../webviewHtml.js';

/** The browser bundles sit beside the CLI bundle in dist/ (or, run from source, in the repo's dist/). */
const DIST = basename(__dirname) === 'dist' ? __dirname : join(__dirname, '..', '..', 'dist');

/**
 * The panel's first frame for `json` (the page's embedded data), drawn by the panel's own code
 * (dist/prerender.js, webview/prerender/main.ts) in a context of its own, so that its DOM globals
 * never become this process's. Undefined when the run does not pass the panel's light check: the
 * page's script then says what is wrong with it.
 */
function drawFirstFrame(code: string, json: string): string | undefined {
  const context: { steplensPrerender?: (json: string) => string | undefined } & Record<string, unknown> = {
    console,
    performance,
    crypto,
    atob,
    queueMicrotask,
    setTimeout,
    clearTimeout,
  };
  runInNewContext(code, context, { filename: join(DIST, 'prerender.js') });
  if (typeof context.steplensPrerender !== 'function')
    throw new Error('dist/prerender.js defines no prerenderer');
  return context.steplensPrerender(json);
}

export interface StandalonePage {
  html: string;
  /** Why the page's first frame could not be drawn in advance (the page then draws it as it opens). */
  firstFrameNotDrawn?: string;
}

export async function standaloneHtml(
  embedded: { run: unknown; events: unknown[]; skipped?: unknown },
  title: string,
): Promise<StandalonePage> {
  const files = new Map<string, string>();
  await Promise.all(
    [
      'webview.js',
      'standalone.css',
      'katex.js',
      'standalone-katex.css',
      'validators.js',
      'select.js',
      'prerender.js',
    ].map(async (name) => files.set(name, await readFile(join(DIST, name), 'utf8'))),
  );
  const file = (name: string) => files.get(name)!;
  const json = scriptSafeJson(embedded);
  let prerendered: string | undefined;
  let firstFrameNotDrawn: string | undefined;
  try {
    prerendered = drawFirstFrame(file('prerender.js'), json);
    if (prerendered === undefined) firstFrameNotDrawn = 'the run does not pass the panel’s check';
  } catch (error) {
    // The page is whole without it: its script draws the first frame as it opens, only later.
    firstFrameNotDrawn = error instanceof Error ? error.message : String(error);
  }
  const html = panelHtml({
    title,
    nonce: createNonce(),
    inlineScript: file('webview.js'),
    inlineStyle: file('standalone.css'),
    deferred: panelDeferredAssets(file, true),
    embedded: json,
    ...(prerendered !== undefined ? { prerendered } : {}),
  });
  return { html, ...(firstFrameNotDrawn !== undefined ? { firstFrameNotDrawn } : {}) };
}

export async function runView(args: {
  run: string;
  html: string;
  audits?: string;
  /** Whose labels the page shows; by default the annotator with the most events. */
  annotator?: string;
}): Promise<{
  events: number;
  skipped: number;
  skippedLines: string[];
  /** Whose labels the page shows, and everyone who labelled the run. */
  annotator?: string;
  annotators: string[];
  firstFrameNotDrawn?: string;
}> {
  const run = await readRun(args.run);
  // A log the user named must exist; the one beside the run may not (no labels yet).
  const logPath = args.audits ?? auditPathForRun(args.run, run.id);
  const log = await readAuditLog(logPath, { required: args.audits !== undefined });
  const counts = new Map<string, number>();
  for (const event of log.events)
    if (!event.adjudicated) counts.set(annotatorOf(event), (counts.get(annotatorOf(event)) ?? 0) + 1);
  const annotators = [...counts.keys()];
  if (args.annotator !== undefined && !counts.has(args.annotator))
    throw new InputError(
      { file: logPath },
      `has no labels by "${args.annotator}"; annotators: ${annotators.join(', ') || 'none'}`,
    );
  const annotator =
    args.annotator ??
    [...counts].reduce<[string, number] | undefined>(
      (best, entry) => (!best || entry[1] > best[1] ? entry : best),
      undefined,
    )?.[0];
  const events = annotator === undefined ? [] : eventsOfAnnotator(log.events, annotator);
  const page = await standaloneHtml(
    // The log's name only: the page may be passed around, the path is of this machine.
    { run, events, skipped: skippedLines(basename(logPath), log.skipped) },
    `StepLens · ${run.problem.id}`,
  );
  await writeFileAtomic(args.html, page.html);
  return {
    ...(annotator !== undefined ? { annotator } : {}),
    annotators,
    events: events.length,
    skipped: log.skipped.length,
    skippedLines: describeSkipped(logPath, log.skipped),
    ...(page.firstFrameNotDrawn !== undefined ? { firstFrameNotDrawn: page.firstFrameNotDrawn } : {}),
  };
}
