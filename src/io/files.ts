import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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

export interface WriteOptions {
  /**
   * Flush the data to the disk before the rename (default). Without it a crash of the machine (not
   * of the process) may leave the file empty or lost: only for files a reader checks and can remake.
   */
  sync?: boolean;
}

/**
 * A temp file beside the target, synced, then renamed: a reader or a crash never sees half a file.
 * A missing folder is created.
 */
export async function writeFileAtomic(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    let handle: FileHandle;
    try {
      handle = await open(temp, 'w');
    } catch (error) {
      // The folder is made only when it is missing: a mkdir per file costs as much as the write.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dirname(path), { recursive: true });
      handle = await open(temp, 'w');
    }
    try {
      await handle.writeFile(text, 'utf8');
      if (options.sync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw fileError(path, error, 'write');
  }
}
