/**
 * Evaluate Judges: where a dataset's evaluation lives and what the user is told. Pure (no `vscode`
 * import), unit-tested in Node; evaluate.ts runs the job.
 */
import { basename, extname } from 'node:path';
import { fileNameFor, hashedName } from '../io/paths.js';

/** The folders evaluations live in, under a workspace folder. */
export const EVALUATIONS_DIR = ['.steplens', 'evaluations'] as const;

const stem = (file: string) => basename(file, extname(file));

/**
 * The evaluation (or dataset) folder's name: the file's stem for one file; for several, their
 * stems (sorted, so the order of a selection does not matter) and a hash of their paths, so the
 * same selection always finds its folder again and resumes. Always one safe file name. Names made
 * before the stems alone were the readable part carried a cut of the paths too
 * ("a_b_tmp_trial_.vscode-test_de-…"): a folder of that name, where `exists` finds one, is kept, so
 * it still resumes.
 */
export function evaluationName(files: readonly string[], exists?: (name: string) => boolean): string {
  if (files.length === 1) return fileNameFor(stem(files[0]!));
  const sorted = [...files].sort();
  const stems = [...new Set(sorted.map(stem))].join('+');
  const earlier = fileNameFor(`${stems}@${sorted.join('\n')}`);
  if (exists?.(earlier)) return earlier;
  return hashedName(stems, sorted.join('\n'));
}

export interface EvaluationSummary {
  /** The evaluation folder as the user sees it (workspace-relative where possible). */
  folder: string;
  rows: number;
  judged: number;
  reused: number;
  skipped: number;
  withFailure: number;
  complete: boolean;
}

/** The one message after an evaluation: complete or partial, rows, and where to look further. */
export function outcomeMessage(summary: EvaluationSummary): string {
  const done = summary.judged + summary.reused;
  const head = summary.complete
    ? `StepLens: evaluated ${summary.rows} row(s) into ${summary.folder} (${summary.judged} judged now, ${summary.reused} reused); the report is open.`
    : `StepLens: evaluation cancelled after ${done} of ${summary.rows} row(s); the partial report in ${summary.folder} is open. Run Evaluate Judges on the same file(s) again to finish: finished rows are reused, not requested again.`;
  const failed =
    summary.withFailure > 0
      ? ` ${summary.withFailure} row(s) had a judge fail (counted as misses; the StepLens log names the errors).`
      : '';
  const skipped =
    summary.skipped > 0
      ? ` ${summary.skipped} row(s) skipped (no steps or no first-error label): listed in report.json and the StepLens log.`
      : '';
  return `${head}${failed}${skipped}`;
}
