/** Paths built from identifiers in files: checked to stay inside the folder they were meant for. */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { SafeIdSchema } from '../core/ids.js';

/** An id from a file as one file name: itself when already safe, else a readable part and a hash. */
export function fileNameFor(id: string): string {
  if (SafeIdSchema.safeParse(id).success) return id;
  return hashedName(id, id);
}

/** `readable` made a safe file name's readable part, then a hash of `hashed`: "gsm8k_math-1f0c…". */
export function hashedName(readable: string, hashed: string): string {
  const part = readable
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 60);
  const hash = createHash('sha256').update(hashed).digest('hex').slice(0, 10);
  return `${part || 'row'}-${hash}`;
}

/** `folder/name`, or an error when `name` would lead anywhere but directly inside `folder`. */
export function pathInside(folder: string, name: string): string {
  const base = resolve(folder);
  const path = resolve(base, name);
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || /[\\/]/.test(name)) {
    throw new InputError({ file: name }, `refusing a file name that leaves its folder ${base}`);
  }
  return path;
}

/**
 * A path relative to a folder, as a dataset index names its runs (`runs/<id>.json`), resolved
 * inside it; undefined when it is absolute or leads outside (a page or a file asking for another).
 */
export function runPathInFolder(folder: string, run: string): string | undefined {
  if (isAbsolute(run)) return undefined;
  const base = resolve(folder);
  const path = resolve(base, run);
  const inside = relative(base, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return path;
}
