/** Paths built from identifiers in files: checked to stay inside the folder they were meant for. */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
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

/**
 * A run file as a panel remembers it across a window reload: the root (a workspace folder, or the
 * extension's storage) it is under, and its path inside that root with "/" between names.
 */
export interface RunPlace {
  root: string;
  path: string;
}

/** Where `file` is: under the first of `roots` that holds it; undefined when none does (a run opened from elsewhere). */
export function placeOfRun(roots: readonly string[], file: string): RunPlace | undefined {
  const path = resolve(file);
  for (const root of roots) {
    const base = resolve(root);
    const inside = relative(base, path);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) continue;
    return { root: base, path: inside.split(sep).join('/') };
  }
  return undefined;
}

/**
 * The run file a remembered place names, or why there is none: its root must still be one of
 * `roots` (a folder closed since is not opened again), and its path a .json file inside it. The
 * place was read back from storage a page or another version wrote: nothing in it is trusted.
 */
export function runFileAt(
  roots: readonly string[],
  place: RunPlace,
): { file: string } | { refused: 'root' | 'path' } {
  const root = roots.map((folder) => resolve(folder)).find((folder) => folder === place.root);
  if (root === undefined) return { refused: 'root' };
  const file = place.path.endsWith('.json') ? runPathInFolder(root, place.path) : undefined;
  return file === undefined ? { refused: 'path' } : { file };
}
