/** How a long job reports its pace: shared by the CLI's progress line and the host's notification. */

/** A count as people read it, the same on every machine: "12,345". */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** Seconds as "1h 02m", "3m 05s" or "42s". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Seconds left for the rows still to do, at the rate of the rows judged now (reused rows cost
 * nothing and would make the estimate a lie); undefined until one row has been judged.
 */
export function rowsEtaSeconds(
  progress: { done: number; total: number; reused: number },
  elapsedSeconds: number,
): number | undefined {
  const fresh = progress.done - progress.reused;
  if (fresh <= 0 || elapsedSeconds <= 0) return undefined;
  return ((progress.total - progress.done) * elapsedSeconds) / fresh;
}
