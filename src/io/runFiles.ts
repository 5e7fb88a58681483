/** Run files on disk: written atomically, read back with validation. */
import { join } from 'node:path';
import { InputError, inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { type Run, RunSchema, SCHEMA_VERSION } from '../core/schemas.js';
import { readTextFile, type WriteOptions, writeFileAtomic } from './files.js';

export const RUNS_DIR = join('.steplens', 'runs');

export interface WriteRunOptions extends WriteOptions {
  /** The run is RunSchema's own output (analyze returns one): not validated a second time. */
  validated?: boolean;
}

export async function writeRun(path: string, run: Run, options: WriteRunOptions = {}): Promise<void> {
  const { validated, ...write } = options;
  const valid = validated ? run : RunSchema.parse(run);
  await writeFileAtomic(path, `${JSON.stringify(valid, null, 1)}\n`, write);
}

/** Reads and validates a run file; another schema version gets its own clear message. */
export function parseRun(file: string, text: string): Run {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw jsonInputError({ file }, error);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof value !== 'object' || value === null || version === undefined) {
    throw new InputError({ file, field: 'schemaVersion' }, 'not a StepLens run file (no schemaVersion)');
  }
  if (version !== SCHEMA_VERSION) {
    throw new InputError(
      { file, field: 'schemaVersion' },
      `this run file has schema version ${JSON.stringify(version)}; this StepLens reads version ${SCHEMA_VERSION}`,
    );
  }
  const parsed = RunSchema.safeParse(value);
  if (!parsed.success) throw inputErrorFromZod({ file }, parsed.error);
  return parsed.data;
}

export async function readRun(path: string): Promise<Run> {
  return parseRun(path, await readTextFile(path));
}
