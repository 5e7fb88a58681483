/** `steplens report DIR… --out OUT`: several dataset folders compared on one page, OUT/report.html and OUT/compare.json. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetReport, type ReportOptions } from '../core/datasetReport.js';
import { compareDatasets, folderLabels } from '../core/reportCompare.js';
import { writeFileAtomic } from '../io/files.js';
import { readDatasetIndex } from '../jobs/dataset.js';
import { compareReportHtml, folderName } from '../reportHtml.js';

export async function runCompare(
  dirs: readonly string[],
  out: string,
  options: ReportOptions,
): Promise<{ html: string; json: string; shared: number }> {
  const indexes = [];
  for (const dir of dirs) indexes.push(await readDatasetIndex(dir));
  const labels = folderLabels(dirs.map(folderName));
  const comparison = compareDatasets(indexes.map((index, f) => ({ label: labels[f]!, index })));
  const folders = indexes.map((index, f) => ({ label: labels[f]!, report: datasetReport(index, options) }));
  await mkdir(out, { recursive: true });
  const html = join(out, 'report.html');
  const json = join(out, 'compare.json');
  await writeFileAtomic(json, `${JSON.stringify({ schemaVersion: 1, ...comparison }, null, 1)}\n`);
  await writeFileAtomic(html, compareReportHtml(folders, comparison));
  return { html, json, shared: comparison.shared };
}
