/** Paths built from identifiers in files: checked to stay inside the folder they were meant for. */
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

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
