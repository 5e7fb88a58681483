/**
 * The integration suite's entry, run inside a real extension host. One `run()` serves both ways of
 * starting it: @vscode/test-electron's runTests (desktop VS Code) and code-server's workbench URL
 * payload (here), which calls it the same way and reports the result through codeAutomationExit.
 * With STEPLENS_IT_RESULTS set, the outcome of every test is also written there as JSON.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'suite.test.js'));
  const results: { title: string; state: 'passed' | 'failed'; error?: string }[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const path = process.env.STEPLENS_IT_RESULTS;
      if (path) writeFileSync(path, JSON.stringify({ failures, results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed' }));
    runner.on('fail', (test, error: Error) =>
      results.push({ title: test.fullTitle(), state: 'failed', error: error.message }),
    );
  });
}
