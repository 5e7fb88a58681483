/** Reads runs with their audit logs and writes the export files: shared by the CLI and the extension. */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { resolveRunLabels } from '../core/annotators.js';
import { InputError } from '../core/errors.js';
import { type AgreementReport, exportWithReport, type LabeledRun } from '../core/export.js';
import { auditPathForRun, describeSkipped, readAuditLog } from './auditLog.js';
import { fileError, writeFileAtomic } from './files.js';
import { pathInside } from './paths.js';
import { readRun } from './runFiles.js';

/**
 * Each run with the labels replayed from its log: beside the run, or in `auditsDir` when the user
 * names one (then the folder must exist). Lines that could not be read travel with the run, so the
 * caller can show them and the report can count them.
 */
export async function loadLabeledRuns(
  runPaths: readonly string[],
  auditsDir?: string,
): Promise<LabeledRun[]> {
  if (auditsDir !== undefined) await requireFolder(auditsDir);
  return Promise.all(
    runPaths.map(async (path) => {
      const run = await readRun(path);
      const logPath = auditsDir ? pathInside(auditsDir, `${run.id}.jsonl`) : auditPathForRun(path, run.id);
      const log = await readAuditLog(logPath);
      const { labels, sources, byAnnotator } = resolveRunLabels(run.samples, log.events);
      return {
        run,
        labels,
        annotation: { sources, byAnnotator },
        audit: { file: basename(logPath), path: logPath, events: log.events.length, skipped: log.skipped },
      };
    }),
  );
}

async function requireFolder(path: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    throw fileError(path, error, 'read');
  }
  if (!isFolder) {
    throw new InputError(
      { file: path },
      'is a file; --audits takes the folder that holds the <run id>.jsonl logs',
    );
  }
}

/** "path:line: reason" for every audit line that was not read, over all runs. */
export function skippedAuditLines(runs: readonly LabeledRun[]): string[] {
  return runs.flatMap(({ audit }) => (audit ? describeSkipped(audit.path ?? audit.file, audit.skipped) : []));
}

export async function writeExport(
  runs: readonly LabeledRun[],
  outDir: string,
): Promise<{
  out: string;
  files: string[];
  contradictorySamples: number;
  exported: AgreementReport['exported'];
}> {
  const { files, report } = exportWithReport(runs);
  const out = resolve(outDir);
  await Promise.all(Object.entries(files).map(([name, text]) => writeFileAtomic(join(out, name), text)));
  // From the report written: the message that says the export is done counts what report.md lists.
  return {
    out,
    files: Object.keys(files),
    contradictorySamples: report.contradictorySamples.length,
    exported: report.exported,
  };
}
