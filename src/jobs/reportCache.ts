/**
 * A dataset folder's report as the Dataset Report view shows it, computed once per version of what it
 * is built from. The view refreshes on every watcher event, on each reveal and on a window reload;
 * computing the report (subset sampling over every problem, k and method) is the costly part, so it
 * is redone only when dataset.json or report.json changed.
 *
 * What is read: `dataset.json` (zod-checked, the one source of every figure and row) and, from
 * `report.json`, only the options the report was built with (R subsets, seed, difficulty; checked),
 * so the figures are report.json's own (the same seeded computation) without trusting its numbers.
 * The run files are not read: a report never opens them.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { DatasetIndex } from '../core/dataset.js';
import { type DatasetReport, datasetReport, type ReportOptions } from '../core/datasetReport.js';
import { type ProblemRow, pickMethods, problemRows } from '../core/reportProblems.js';
import { readDatasetIndex } from './dataset.js';

/** The options report.json was built with (and the dataset's stored name); anything else in it is not read. */
const ReportOptionsSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  reranking: z.object({ subsets: z.number().int().min(1), seed: z.number().int() }).optional(),
  selfPrecision: z.object({ difficulty: z.number().min(0).max(1) }).optional(),
  precision: z.record(z.string(), z.object({ difficulty: z.number().min(0).max(1) })).optional(),
});

export async function reportOptions(folder: string): Promise<ReportOptions> {
  const path = join(folder, 'report.json');
  if (!existsSync(path)) return {};
  try {
    const parsed = ReportOptionsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) return {};
    const { name, reranking, selfPrecision, precision } = parsed.data;
    const difficulty = selfPrecision?.difficulty ?? Object.values(precision ?? {})[0]?.difficulty;
    return {
      ...(name !== undefined ? { name } : {}),
      ...(reranking ? { subsets: reranking.subsets, seed: reranking.seed } : {}),
      ...(difficulty !== undefined ? { difficulty } : {}),
    };
  } catch {
    // A report.json being written, or broken: the defaults until it changes again.
    return {};
  }
}

export interface FolderReport {
  index: DatasetIndex;
  options: ReportOptions;
  report: DatasetReport;
  /** The problems table's pick columns and rows. */
  methods: string[];
  rows: ProblemRow[];
}

/** Reads a folder and computes its report and problem rows (what the cache saves redoing). */
export async function computeFolderReport(folder: string): Promise<FolderReport> {
  const index = await readDatasetIndex(folder);
  const options = await reportOptions(folder);
  return {
    index,
    options,
    report: datasetReport(index, options),
    methods: Object.keys(pickMethods(index)),
    rows: problemRows(index),
  };
}

/**
 * What the report is built from, as the file system describes it: each file's size, modification
 * time and inode (an atomic rewrite by rename is a new inode even within one clock tick), or its absence.
 */
export async function folderVersion(folder: string): Promise<string> {
  const parts = await Promise.all(
    ['dataset.json', 'report.json'].map(async (file) => {
      try {
        const info = await stat(join(folder, file), { bigint: true });
        return `${file}:${info.size}:${info.mtimeNs}:${info.ino}`;
      } catch {
        return `${file}:absent`;
      }
    }),
  );
  return parts.join('|');
}

/** One computed report per folder, kept while its files stay as they were. */
export class FolderReportCache {
  /** How many times a report was computed (the tests count them). */
  computed = 0;
  private readonly entries = new Map<string, { version: string; report: Promise<FolderReport> }>();

  constructor(private readonly compute: (folder: string) => Promise<FolderReport> = computeFolderReport) {}

  /**
   * The folder's report, computed again only when its files changed. The version is taken before
   * the files are read: a change during the read leaves an older version with the newer report,
   * which the next refresh computes again (never a newer version with an older report).
   */
  async get(folder: string): Promise<FolderReport> {
    const version = await folderVersion(folder);
    const cached = this.entries.get(folder);
    if (cached?.version === version) return cached.report;
    this.computed += 1;
    const report = this.compute(folder);
    const entry = { version, report };
    this.entries.set(folder, entry);
    // A folder that could not be read is tried again next time, not remembered as broken.
    report.catch(() => {
      if (this.entries.get(folder) === entry) this.entries.delete(folder);
    });
    return report;
  }

  forget(folder: string): void {
    this.entries.delete(folder);
  }
}
