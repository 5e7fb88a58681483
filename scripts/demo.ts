/**
 * The demo: code-server with the freshly packaged StepLens, the examples workspace, and a local
 * endpoint that serves SCRIPTED responses. Prints the URL to open; Ctrl-C stops everything.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, stubSettings } from '../test/e2e/codeServer.js';
import { ROOT } from '../test/support.js';
import { startDemoEndpoint } from './demo-endpoint.js';

async function main(): Promise<void> {
  const port = Number(process.env.DEMO_PORT ?? 8080);
  const endpointPort = Number(process.env.DEMO_ENDPOINT_PORT ?? 8000);
  const workspace = join(ROOT, '.vscode-test', 'demo-workspace');
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });

  const endpoint = await startDemoEndpoint(endpointPort);
  const server = await startCodeServer({
    workspace,
    port,
    vsix: join(ROOT, 'steplens.vsix'),
    settings: { ...stubSettings(endpoint.baseUrl, endpoint.url), 'steplens.policy.samples': 8 },
  });
  console.log('');
  console.log('StepLens demo is running.');
  console.log(`  Open:      ${server.url}/?folder=${encodeURIComponent(workspace)}`);
  console.log(
    `  Endpoint:  ${endpoint.baseUrl} (chat) and ${endpoint.url}/pooling — SCRIPTED responses, no model`,
  );
  console.log(
    '  Try:       right-click examples/hypotenuse.md → "Analyze Problem"; label with j/k, 1/2/3, s/p/b/x;',
  );
  console.log(
    '             F1 → "StepLens: Export Audits…". Runs and exports land in .vscode-test/demo-workspace/.steplens/',
  );
  console.log('  Stop:      Ctrl-C');
  const stop = async () => {
    await server.stop();
    await endpoint.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
