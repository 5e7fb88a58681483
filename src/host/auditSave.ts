/**
 * One label from a panel, saved and answered: the answer names the panel's request and is sent
 * only once the audit log's append has resolved, so a panel never shows a label as saved that is
 * not in the log. Kept apart from the panels (no VS Code here) so it is tested on its own.
 */
import { type Attribution, attribute } from '../core/annotators.js';
import type { AuditEvent } from '../core/schemas.js';
import type { HostMessage, RequestId } from '../protocol.js';

export type AuditReply = Extract<HostMessage, { type: 'audit/saved' | 'audit/failed' }>;

export interface AuditRequest {
  runId: string;
  requestId: RequestId;
  event: AuditEvent;
}

/** The audit log of a run shown in this window; undefined when the run was not shown here. */
export interface AuditTarget {
  runId: string;
  append(event: AuditEvent): Promise<void>;
}

export const NOT_OPEN_MESSAGE = 'this run was not opened in this window; open it again to label it';

/** Saves the event under `by`'s name: every label from a webview is attributed here, and only here. */
export async function saveAudit(
  request: AuditRequest,
  target: AuditTarget | undefined,
  by: Attribution,
): Promise<AuditReply> {
  const { runId, requestId } = request;
  if (!target || target.runId !== runId)
    return { type: 'audit/failed', runId, requestId, message: NOT_OPEN_MESSAGE };
  try {
    await target.append(attribute(request.event, by));
    return { type: 'audit/saved', runId, requestId };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      type: 'audit/failed',
      runId,
      requestId,
      message: message || 'the audit log could not be written',
    };
  }
}
