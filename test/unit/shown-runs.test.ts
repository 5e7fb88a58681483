/**
 * The panels' memory of where each run shown came from (src/host/shownRuns.ts), in a Memento as
 * VS Code's workspaceState keeps it: what a panel restored after a window reload opens, or says.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { ShownRuns } from '../../src/host/shownRuns.js';

/** workspaceState as the extension sees it: values kept as JSON. */
function memento(initial: Record<string, unknown> = {}): vscode.Memento {
  const values = new Map(Object.entries(initial));
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => {
      values.set(key, JSON.parse(JSON.stringify(value)));
    },
  } as vscode.Memento;
}

function workspace(): { root: string; run: string } {
  const root = mkdtempSync(join(tmpdir(), 'steplens-shown-'));
  const run = join(root, '.steplens', 'datasets', 'gsm', 'runs', 'q01.json');
  mkdirSync(join(run, '..'), { recursive: true });
  writeFileSync(run, '{}');
  return { root, run };
}

test('a dataset run shown is found again by its id, in the folder it came from', async () => {
  const { root, run } = workspace();
  const state = memento();
  const shown = new ShownRuns(
    state,
    () => [root],
    (file) => relative(root, file),
  );
  await shown.remember('q01', run);
  // A window reload: a new memory over the same workspaceState.
  const again = new ShownRuns(
    state,
    () => [root],
    (file) => relative(root, file),
  );
  assert.deepEqual(await again.find('q01'), { file: run });
  assert.equal(await again.find('q02'), undefined);
  rmSync(root, { recursive: true });
});

test('a run whose file is gone is named in the note, with the path the person knows', async () => {
  const { root, run } = workspace();
  const shown = new ShownRuns(
    memento(),
    () => [root],
    (file) => relative(root, file),
  );
  await shown.remember('q01', run);
  rmSync(run);
  const found = await shown.find('q01');
  assert.ok(found && 'note' in found, 'a note, not a file');
  assert.match(found.note, /\(q01\)/);
  assert.match(found.note, /\.steplens\/datasets\/gsm\/runs\/q01\.json is no longer there/);
  rmSync(root, { recursive: true });
});

test('a run in a folder closed since says which folder; one from outside the workspace is not remembered', async () => {
  const { root, run } = workspace();
  const state = memento();
  await new ShownRuns(
    state,
    () => [root],
    (file) => file,
  ).remember('q01', run);
  const found = await new ShownRuns(
    state,
    () => [],
    (file) => file,
  ).find('q01');
  assert.ok(found && 'note' in found);
  assert.ok(found.note.includes(root), found.note);
  const outside = new ShownRuns(
    memento(),
    () => [join(root, 'elsewhere')],
    (file) => file,
  );
  await outside.remember('q01', run);
  assert.equal(await outside.find('q01'), undefined);
  rmSync(root, { recursive: true });
});

test('a place that leads out of its folder, or a memory that does not parse, opens nothing', async () => {
  const { root } = workspace();
  const escaping = memento({
    'steplens.shownRunFiles': [{ runId: 'q01', root, path: '../../etc/passwd.json' }],
  });
  assert.equal(
    await new ShownRuns(
      escaping,
      () => [root],
      (file) => file,
    ).find('q01'),
    undefined,
  );
  const garbage = memento({ 'steplens.shownRunFiles': { q01: '/etc/passwd' } });
  assert.equal(
    await new ShownRuns(
      garbage,
      () => [root],
      (file) => file,
    ).find('q01'),
    undefined,
  );
  rmSync(root, { recursive: true });
});

test('the memory keeps the 50 runs shown last, the latest place of each', async () => {
  const { root, run } = workspace();
  const state = memento();
  const shown = new ShownRuns(
    state,
    () => [root],
    (file) => file,
  );
  for (let i = 0; i < 60; i++) await shown.remember(`r${i}`, join(root, '.steplens', 'runs', `r${i}.json`));
  await shown.remember('r59', run);
  const kept = state.get<{ runId: string; path: string }[]>('steplens.shownRunFiles') ?? [];
  assert.equal(kept.length, 50);
  assert.deepEqual(kept[0], { runId: 'r59', root, path: '.steplens/datasets/gsm/runs/q01.json' });
  assert.ok(!kept.some((entry) => entry.runId === 'r0'), 'the oldest is forgotten');
  assert.equal(kept.filter((entry) => entry.runId === 'r59').length, 1);
  rmSync(root, { recursive: true });
});
