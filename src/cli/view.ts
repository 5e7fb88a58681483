/** `steplens view RUN --html OUT`: the panel as one self-contained, read-only HTML file. */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { auditPathForRun, describeSkipped, readAuditLog } from '../io/auditLog.js';
import { writeFileAtomic } from '../io/files.js';
import { readRun } from '../io/runFiles.js';
import { skippedLines } from '../protocol.js';
import { createNonce, panelDeferredAssets, panelHtml } from '../webviewHtml.js';

/** The browser bundles sit beside the CLI bundle in dist/ (or, run from source, in the repo's dist/). */
const DIST = basename(__dirname) === 'dist' ? __dirname : join(__dirname, '..', '..', 'dist');

export async function standaloneHtml(
  embedded: { run: unknown; events: unknown[]; skipped?: unknown },
  title: string,
): Promise<string> {
  const files = new Map<string, string>();
  await Promise.all(
    ['webview.js', 'standalone.css', 'katex.js', 'standalone-katex.css', 'validators.js'].map(async (name) =>
      files.set(name, await readFile(join(DIST, name), 'utf8')),
    ),
  );
  const file = (name: string) => files.get(name)!;
  return panelHtml({
    title,
    nonce: createNonce(),
    inlineScript: file('webview.js'),
    inlineStyle: file('standalone.css'),
    deferred: panelDeferredAssets(file, true),
    embedded,
  });
}

export async function runView(args: {
  run: string;
  html: string;
  audits?: string;
}): Promise<{ events: number; skipped: number; skippedLines: string[] }> {
  const run = await readRun(args.run);
  // A log the user named must exist; the one beside the run may not (no labels yet).
  const logPath = args.audits ?? auditPathForRun(args.run, run.id);
  const log = await readAuditLog(logPath, { required: args.audits !== undefined });
  const html = await standaloneHtml(
    // The log's name only: the page may be passed around, the path is of this machine.
    { run, events: log.events, skipped: skippedLines(basename(logPath), log.skipped) },
    `StepLens · ${run.problem.id}`,
  );
  await writeFileAtomic(args.html, html);
  return {
    events: log.events.length,
    skipped: log.skipped.length,
    skippedLines: describeSkipped(logPath, log.skipped),
  };
}
