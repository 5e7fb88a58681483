import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { decodeText } from '../core/text.js';

/** A file-system failure as a person reads it; the path is named by the InputError around it. */
export function fileProblem(error: unknown, doing: 'read' | 'write'): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return doing === 'read' ? 'no such file' : 'its folder cannot be created';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (cannot ${doing})`;
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return `cannot ${doing} (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

/** Failures that come from the path the user gave (exit 2), not from the machine. */
const PATH_PROBLEMS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS']);

export function fileError(path: string, error: unknown, doing: 'read' | 'write'): Error {
  const problem = fileProblem(error, doing);
  return PATH_PROBLEMS.has((error as NodeJS.ErrnoException).code ?? '')
    ? new InputError({ file: path }, problem)
    : new Error(`${path}: ${problem}`);
}

/** Reads a user's file as UTF-8 text; a missing, unreadable, binary or non-UTF-8 one is bad input named by its path. */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(path, error, 'read');
  }
  return decodeText(bytes, { file: path });
}

/** A temp file beside the target, synced, then renamed: a reader or a crash never sees half a file. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw fileError(path, error, 'write');
  }
}
