/**
 * Where a run a panel showed is remembered across a window reload (src/io/paths.ts): the root it
 * is under and its path inside; read back, a place leads only to a .json file inside a root open now.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { placeOfRun, runFileAt } from '../../src/io/paths.js';

const WS = resolve('/work/project');
const OTHER = resolve('/work/other');
const STORAGE = resolve('/home/user/.storage/steplens');
const ROOTS = [WS, OTHER, STORAGE];

test('a dataset run is remembered under its workspace folder, with "/" between names', () => {
  const file = join(WS, '.steplens', 'datasets', 'gsm', 'runs', 'q01.json');
  assert.deepEqual(placeOfRun(ROOTS, file), { root: WS, path: '.steplens/datasets/gsm/runs/q01.json' });
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: '.steplens/datasets/gsm/runs/q01.json' }), { file });
});

test('a run in the second folder or in global storage is remembered under that root', () => {
  assert.deepEqual(placeOfRun(ROOTS, join(OTHER, '.steplens', 'runs', 'r.json')), {
    root: OTHER,
    path: '.steplens/runs/r.json',
  });
  assert.deepEqual(placeOfRun(ROOTS, join(STORAGE, '.steplens', 'runs', 'r.json')), {
    root: STORAGE,
    path: '.steplens/runs/r.json',
  });
});

test('a run opened from outside every root is not remembered (nor a folder merely named alike)', () => {
  assert.equal(placeOfRun(ROOTS, resolve('/tmp/run.json')), undefined);
  assert.equal(placeOfRun(ROOTS, resolve('/work/project-old/.steplens/runs/r.json')), undefined);
  assert.equal(placeOfRun(ROOTS, WS), undefined);
  assert.equal(placeOfRun([], join(WS, 'r.json')), undefined);
});

test('a remembered place leads nowhere outside its root, and not to a root closed since', () => {
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: '../other/.steplens/runs/r.json' }), {
    refused: 'path',
  });
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: '.steplens/../../etc/x.json' }), { refused: 'path' });
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: resolve('/etc/x.json') }), { refused: 'path' });
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: '.steplens/runs/r.jsonl' }), { refused: 'path' });
  assert.deepEqual(runFileAt(ROOTS, { root: WS, path: '' }), { refused: 'path' });
  assert.deepEqual(runFileAt(ROOTS, { root: resolve('/work/closed'), path: '.steplens/runs/r.json' }), {
    refused: 'root',
  });
  // A root written as a relative path is not taken for the folder it would resolve to.
  assert.deepEqual(runFileAt([resolve('project')], { root: 'project', path: 'r.json' }), { refused: 'root' });
});
