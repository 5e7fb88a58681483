/**
 * A config file from disk with the critique templates it names (src/io/configFile.ts): where a
 * template path leads, what a user is told when it leads nowhere, and what identifies a template.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/io/configFile.js';

const TEMPLATE = 'Problem: {problem}\nSolution: {tagged_response}\nIndex in \\boxed{{}}.';
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-config-file-'));
  mkdirSync(join(dir, 'configs'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'self.txt'), TEMPLATE);
  writeFileSync(join(dir, 'templates', 'critic.txt'), `${TEMPLATE}\nBe strict.`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, selfTemplate: string, criticTemplate?: string): string {
  const path = join(dir, 'configs', name);
  writeFileSync(
    path,
    JSON.stringify({
      protocol: 'processbench',
      policy: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
      selfJudge: { samples: 1, template: selfTemplate },
      prms: criticTemplate
        ? [
            {
              id: 'c',
              kind: 'chat-critic',
              baseUrl: 'http://127.0.0.1:2/v1',
              model: 'c',
              template: criticTemplate,
            },
          ]
        : [],
    }),
  );
  return path;
}

test('a relative template path is read from the config file’s folder, an absolute one as it is', async () => {
  const loaded = await loadConfig(
    writeConfig('ok.json', '../templates/self.txt', join(dir, 'templates', 'critic.txt')),
  );
  assert.deepEqual(loaded.templates, { self: TEMPLATE, c: `${TEMPLATE}\nBe strict.` });
  // Each template is identified by its content: equal texts hash alike, different ones do not.
  assert.match(loaded.templateHashes.self!, /^[0-9a-f]{64}$/);
  assert.notEqual(loaded.templateHashes.self, loaded.templateHashes.c);
  const again = await loadConfig(writeConfig('same.json', join(dir, 'templates', 'self.txt')));
  assert.equal(again.templateHashes.self, loaded.templateHashes.self);
});

test('a template that is missing or could not be filled is named with its full path', async () => {
  await assert.rejects(loadConfig(writeConfig('missing.json', 'templates/self.txt')), (error: Error) =>
    error.message.includes(join(dir, 'configs', 'templates', 'self.txt')),
  );
  writeFileSync(join(dir, 'templates', 'half.txt'), 'Problem: {problem}');
  await assert.rejects(loadConfig(writeConfig('half.json', '../templates/half.txt')), {
    message: `${join(dir, 'templates', 'half.txt')}: critique template of judge "self": the template never uses {tagged_response}: the critic would not see the row`,
  });
});

test('under StepLens’s own protocol nothing is read', async () => {
  const path = join(dir, 'configs', 'plain.json');
  writeFileSync(path, JSON.stringify({ policy: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } }));
  const loaded = await loadConfig(path);
  assert.deepEqual([loaded.config.protocol, loaded.templates, loaded.templateHashes], ['steplens', {}, {}]);
});
