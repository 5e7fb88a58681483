/**
 * A dataset folder's failed samples: how many, in how many problems, and the first one's error from
 * its run file. Read the same by the CLI at the end of a run and by the Datasets view.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetIndex } from '../core/dataset.js';
import { countSamples } from '../core/datasetReport.js';
import { pathInside } from '../io/paths.js';
import { redact } from '../llm/credentials.js';

export interface FirstFailure {
  problem: string;
  /** The run file's error, as stored (redacted when shown); absent when the run file cannot tell. */
  message?: string;
}

export interface DatasetFailures {
  samples: number;
  failedSamples: number;
  failedProblems: number;
  firstFailure?: FirstFailure;
}

/** The run file a dataset.json entry names (`runs/<file>.json`), kept inside the folder's runs/. */
export function runFileOf(out: string, run: string): string {
  const match = /^runs\/([^/\\]+\.json)$/.exec(run);
  if (!match) throw new Error(`dataset.json names a run outside runs/: ${JSON.stringify(run)}`);
  return pathInside(join(out, 'runs'), match[1]!);
}

/** The failed samples of an index, and its first failure's message from that problem's run file. */
export async function datasetFailures(out: string, index: DatasetIndex): Promise<DatasetFailures> {
  const counts = countSamples(index);
  const [samples, failedSamples, failedProblems] = [counts.total, counts.failed, counts.problemsWithFailures];
  const first = index.problems.find((problem) => problem.samples.some((sample) => sample.failed));
  if (!first) return { samples, failedSamples, failedProblems };
  const message = await firstSampleError(out, first.run);
  return {
    samples,
    failedSamples,
    failedProblems,
    firstFailure: { problem: first.id, ...(message !== undefined ? { message } : {}) },
  };
}

/** First sample errors, by run file, while its modification time and size stay the same. */
const errorCache = new Map<string, { mtimeMs: number; size: number; message: string | undefined }>();

/**
 * The first failed sample's error in a dataset's run file (`runs/<file>.json`); undefined when the
 * file cannot be read or names none. Only the error strings are looked at, so no run schema check.
 */
export async function firstSampleError(out: string, run: string): Promise<string | undefined> {
  try {
    const path = runFileOf(out, run);
    const info = await stat(path);
    const cached = errorCache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.message;
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    const samples = (value as { samples?: unknown }).samples;
    let message: string | undefined;
    if (Array.isArray(samples))
      for (const sample of samples as { error?: unknown; cancelled?: unknown }[]) {
        if (typeof sample?.error === 'string' && sample.cancelled !== true) {
          message = sample.error;
          break;
        }
      }
    errorCache.set(path, { mtimeMs: info.mtimeMs, size: info.size, message });
    return message;
  } catch {
    return undefined;
  }
}

/** How much of a stored error is shown: the cause, not a whole server page. */
const FAILURE_CHARS = 300;

/**
 * A stored error as shown: redacted (stored errors were redacted when made; a run file from
 * elsewhere was not), on one line, cut to its first FAILURE_CHARS characters.
 */
export function failureText(message: string): string {
  const line = redact(message).replace(/\s+/g, ' ').trim();
  return line.length > FAILURE_CHARS ? `${line.slice(0, FAILURE_CHARS)}…` : line;
}
