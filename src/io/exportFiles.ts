/** Reads runs with their audit logs and writes the export files: shared by the CLI and the extension. */
import { join, resolve } from 'node:path';
import { replayAudit } from '../core/audit.js';
import { exportFiles, type LabeledRun } from '../core/export.js';
import { auditPathForRun, readAuditLog } from './auditLog.js';
import { writeFileAtomic } from './files.js';
import { readRun } from './runFiles.js';

export async function loadLabeledRuns(
  runPaths: readonly string[],
  auditsDir?: string,
): Promise<LabeledRun[]> {
  return Promise.all(
    runPaths.map(async (path) => {
      const run = await readRun(path);
      const log = await readAuditLog(
        auditsDir ? join(auditsDir, `${run.id}.jsonl`) : auditPathForRun(path, run.id),
      );
      return { run, labels: replayAudit(log.events) };
    }),
  );
}

export async function writeExport(
  runs: readonly LabeledRun[],
  outDir: string,
): Promise<{ out: string; files: string[] }> {
  const files = exportFiles(runs);
  const out = resolve(outDir);
  await Promise.all(Object.entries(files).map(([name, text]) => writeFileAtomic(join(out, name), text)));
  return { out, files: Object.keys(files) };
}
