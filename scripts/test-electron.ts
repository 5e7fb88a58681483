/**
 * The same integration suite in desktop VS Code through @vscode/test-electron (2.5.2, the last
 * release on Node 20), for machines that can download VS Code. Not run here: this machine reaches
 * only the npm registry and Debian, so CI runs the suite in code-server instead (test/e2e).
 * Usage: node scripts/build.mjs --tests && npx tsx scripts/test-electron.ts
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace, stubSettings } from '../test/e2e/codeServer.js';
import { startStubs } from '../test/e2e/stubs.js';
import { ROOT } from '../test/support.js';

async function main(): Promise<void> {
  const stubs = await startStubs();
  const userData = mkdtempSync(join(tmpdir(), 'steplens-electron-'));
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(stubSettings(stubs.policy.baseUrl, stubs.prm.url)),
  );
  try {
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(ROOT, 'out', 'integration', 'index.js'),
      launchArgs: [
        makeWorkspace(),
        '--user-data-dir',
        userData,
        '--disable-extensions',
        '--disable-workspace-trust',
      ],
    });
  } finally {
    await stubs.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
