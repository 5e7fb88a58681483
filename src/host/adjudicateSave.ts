/**
 * One adjudication from the adjudication view, saved: through saveAudit (the one place labels are
 * attributed), always marked adjudicated, under the annotator the host knows, to the log of a run
 * the view was opened on. No VS Code here, so it is tested with the real writer.
 */
import type { AuditEvent } from '../core/schemas.js';
import { type AuditReply, type AuditRequest, saveAudit } from './auditSave.js';

export interface AdjudicatedRun {
  runId: string;
  /** The run file: its audit log is beside it. */
  path: string;
}

export function saveAdjudication(
  request: AuditRequest,
  runs: ReadonlyMap<string, AdjudicatedRun>,
  append: (run: AdjudicatedRun, event: AuditEvent) => Promise<void>,
  annotator: string,
): Promise<AuditReply> {
  const run = runs.get(request.runId);
  return saveAudit(request, run && { runId: run.runId, append: (event) => append(run, event) }, {
    annotator,
    adjudicated: true,
  });
}
