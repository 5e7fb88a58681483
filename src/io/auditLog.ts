/**
 * The audit log beside a run: `.steplens/audits/<run id>.jsonl`, one event per line, appended the
 * moment a label changes and synced to disk before the append resolves (the panel shows a label as
 * saved only then). A line torn by a crash mid-write is skipped and reported, never fatal: every
 * label before it stays, and the next append starts on a fresh line so it is not glued to the torn one.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type AuditEvent, AuditEventSchema } from '../core/schemas.js';
import { Utf8LineSplitter } from '../core/text.js';
import { fileError } from './files.js';
import { pathInside } from './paths.js';

/** Runs live in `<root>/.steplens/runs/`, their audit logs in the sibling `audits/` folder. */
export function auditPathForRun(runPath: string, runId: string): string {
  const runsDir = dirname(runPath);
  const root = basename(runsDir) === 'runs' ? dirname(runsDir) : runsDir;
  return pathInside(join(root, 'audits'), `${runId}.jsonl`);
}

export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface AuditLogContents {
  events: AuditEvent[];
  /** Lines that could not be read, with why. */
  skipped: SkippedLine[];
}

/**
 * Reads a log. A missing log is an empty one unless `required` (a path the user named explicitly);
 * any other failure to read names the file.
 */
export async function readAuditLog(
  path: string,
  options: { required?: boolean } = {},
): Promise<AuditLogContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !options.required)
      return { events: [], skipped: [] };
    throw fileError(path, error, 'read');
  }
  return parseAuditLogBytes(bytes);
}

/** Line by line, so one line of broken bytes costs that line only, never the whole log. */
export function parseAuditLogBytes(bytes: Uint8Array): AuditLogContents {
  const contents: AuditLogContents = { events: [], skipped: [] };
  const splitter = new Utf8LineSplitter();
  for (const line of [...splitter.push(bytes), ...splitter.end()]) {
    if (line.text === undefined)
      contents.skipped.push({ line: line.line, reason: `invalid UTF-8 at byte ${line.invalidAt}` });
    else parseAuditLine(line.text, line.line, contents);
  }
  return contents;
}

/** The same reading for a log already in memory as text. */
export function parseAuditLog(text: string): AuditLogContents {
  return parseAuditLogBytes(new TextEncoder().encode(text));
}

function parseAuditLine(text: string, line: number, into: AuditLogContents): void {
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    into.skipped.push({ line, reason: 'not JSON (a write cut short?)' });
    return;
  }
  const parsed = AuditEventSchema.safeParse(value);
  if (parsed.success) into.events.push(parsed.data);
  else {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? ` (field "${issue.path.join('.')}")` : '';
    into.skipped.push({ line, reason: `${issue?.message ?? 'not an audit event'}${field}` });
  }
}

/** "file:line: reason" for each skipped line, for stderr, logs and reports. */
export function describeSkipped(path: string, skipped: readonly SkippedLine[]): string[] {
  return skipped.map((entry) => `${path}:${entry.line}: ${entry.reason}`);
}

/** Appends events to one log in the order they were given, one durable write at a time. */
export class AuditWriter {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Resolves once the event is on disk; rejects when it could not be written (the next append still runs). */
  append(event: AuditEvent): Promise<void> {
    const line = `${JSON.stringify(AuditEventSchema.parse(event))}\n`;
    const write = this.queue.then(() => appendLine(this.path, line));
    this.queue = write.catch(() => {});
    return write;
  }
}

async function appendLine(path: string, line: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a+');
    try {
      // The file may end in a line torn by a crash (ours or another window's): start afresh.
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await handle.appendFile(prefix + line, 'utf8');
      await handle.sync();
      // A new log is durable only once its folder's entry for it is too.
      if (size === 0) await syncFolder(dirname(path));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(path, error, 'write');
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
