/**
 * The audit log beside a run: `.steplens/audits/<run id>.jsonl`, one event per line, appended the
 * moment a label changes. A line torn by a crash mid-write is skipped and reported, never fatal:
 * every label before it stays.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type AuditEvent, AuditEventSchema } from '../core/schemas.js';

/** Runs live in `<root>/.steplens/runs/`, their audit logs in the sibling `audits/` folder. */
export function auditPathForRun(runPath: string, runId: string): string {
  const runsDir = dirname(runPath);
  const root = basename(runsDir) === 'runs' ? dirname(runsDir) : runsDir;
  return join(root, 'audits', `${runId}.jsonl`);
}

export interface AuditLogContents {
  events: AuditEvent[];
  /** 1-based lines that could not be read, with why. */
  skipped: { line: number; reason: string }[];
}

export async function readAuditLog(path: string): Promise<AuditLogContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], skipped: [] };
    throw error;
  }
  return parseAuditLog(text);
}

export function parseAuditLog(text: string): AuditLogContents {
  const events: AuditEvent[] = [];
  const skipped: AuditLogContents['skipped'] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped.push({ line: index + 1, reason: 'not JSON (a write cut short?)' });
      return;
    }
    const parsed = AuditEventSchema.safeParse(value);
    if (parsed.success) events.push(parsed.data);
    else skipped.push({ line: index + 1, reason: parsed.error.issues[0]?.message ?? 'not an audit event' });
  });
  return { events, skipped };
}

/** Appends events to one log in the order they were given, one write at a time. */
export class AuditWriter {
  private queue: Promise<void> = Promise.resolve();
  private created = false;

  constructor(readonly path: string) {}

  append(event: AuditEvent): Promise<void> {
    const line = `${JSON.stringify(AuditEventSchema.parse(event))}\n`;
    const write = this.queue.then(async () => {
      if (!this.created) {
        await mkdir(dirname(this.path), { recursive: true });
        this.created = true;
      }
      await appendFile(this.path, line, 'utf8');
    });
    // A failed write is reported to its caller; the queue itself goes on for the next label.
    this.queue = write.catch(() => {});
    return write;
  }
}
