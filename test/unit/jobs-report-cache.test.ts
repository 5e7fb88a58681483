/**
 * The Dataset Report view's cache (src/jobs/reportCache.ts): a refresh with the folder's files as they
 * were computes nothing and shows the same report; a rewritten dataset.json or report.json (a run's
 * snapshot, a report rebuilt with other options) is computed again; a folder that cannot be read is
 * tried again next time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeDatasetReport } from '../../src/jobs/dataset.js';
import { FolderReportCache } from '../../src/jobs/reportCache.js';
import { datasetProblem, reportIndex } from '../fixtures/reportDataset.js';

async function folderWithReport(): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'steplens-report-cache-'));
  const index = reportIndex();
  index.complete = false;
  writeFileSync(join(folder, 'dataset.json'), JSON.stringify(index));
  await writeDatasetReport(folder, index, { subsets: 5, seed: 1, name: 'aime-mini' });
  return folder;
}

describe('the report cache', () => {
  test('a refresh with nothing changed does not compute again: the same report', async () => {
    const folder = await folderWithReport();
    const cache = new FolderReportCache();
    const first = await cache.get(folder);
    assert.equal(cache.computed, 1);
    assert.equal(first.options.name, 'aime-mini');
    assert.equal(first.report.reranking.subsets, 5, 'the options report.json was built with');
    const again = await cache.get(folder);
    const third = await cache.get(folder);
    assert.equal(cache.computed, 1);
    assert.equal(again, first);
    assert.equal(third, first);
  });

  test('dataset.json rewritten (a run adds a problem and finishes): computed again, and the view shows it', async () => {
    const folder = await folderWithReport();
    const cache = new FolderReportCache();
    const before = await cache.get(folder);
    assert.equal(before.index.complete, false);
    const index = reportIndex();
    index.complete = true;
    index.problems.push(datasetProblem('p8-late', [[true, -1, 0.9, -1, 0.9]]));
    // As the dataset writer does: a temporary file renamed over the index.
    writeFileSync(join(folder, 'dataset.json.tmp'), JSON.stringify(index));
    renameSync(join(folder, 'dataset.json.tmp'), join(folder, 'dataset.json'));
    const after = await cache.get(folder);
    assert.equal(cache.computed, 2);
    assert.equal(after.index.complete, true);
    assert.deepEqual(after.rows.map((row) => row.id).slice(-1), ['p8-late']);
    assert.equal(after.report.problems, before.report.problems + 1);
    await cache.get(folder);
    assert.equal(cache.computed, 2, 'and kept again once read');
  });

  test('dataset.json rewritten in place with the same size: computed again', async () => {
    const folder = await folderWithReport();
    const cache = new FolderReportCache();
    await cache.get(folder);
    const path = join(folder, 'dataset.json');
    const size = statSync(path).size;
    const index = reportIndex();
    // "complete": false → true, one character shorter; spaces after it keep the size.
    index.complete = true;
    const text = JSON.stringify(index).padEnd(size, ' ');
    assert.equal(Buffer.byteLength(text), size);
    writeFileSync(path, text);
    const after = await cache.get(folder);
    assert.equal(cache.computed, 2);
    assert.equal(after.index.complete, true);
  });

  test('report.json rebuilt with other options: computed again with them', async () => {
    const folder = await folderWithReport();
    const cache = new FolderReportCache();
    await cache.get(folder);
    await writeDatasetReport(folder, reportIndex(), { subsets: 7, seed: 2, name: 'aime-other' });
    const after = await cache.get(folder);
    assert.equal(cache.computed, 2);
    assert.equal(after.options.name, 'aime-other');
    assert.equal(after.report.reranking.subsets, 7);
  });

  test('a folder that cannot be read is read again next time, not remembered as broken', async () => {
    const folder = await folderWithReport();
    const cache = new FolderReportCache();
    const good = JSON.stringify(reportIndex());
    writeFileSync(join(folder, 'dataset.json'), '{"schemaVersion": 1, "problems": [');
    await assert.rejects(cache.get(folder));
    await assert.rejects(cache.get(folder));
    assert.equal(cache.computed, 2, 'tried again (a read can fail for a moment: a file locked, a disk busy)');
    writeFileSync(join(folder, 'dataset.json'), good);
    const read = await cache.get(folder);
    assert.equal(read.index.problems.length, reportIndex().problems.length);
    assert.equal(cache.computed, 3);
  });

  test('each folder has its own entry; a forgotten one is computed afresh', async () => {
    const [a, b] = [await folderWithReport(), await folderWithReport()];
    const cache = new FolderReportCache();
    await cache.get(a);
    await cache.get(b);
    await cache.get(a);
    assert.equal(cache.computed, 2);
    cache.forget(a);
    await cache.get(a);
    await cache.get(b);
    assert.equal(cache.computed, 3);
  });
});
