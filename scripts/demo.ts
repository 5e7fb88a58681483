/**
 * The demo: code-server with the freshly packaged StepLens, the examples workspace (plus the 40
 * ProcessBench rows), and a local endpoint that replays RECORDED model solutions and SCRIPTED
 * judges (scripts/demo-endpoint.ts says exactly how). Prints the URL to open; Ctrl-C stops
 * everything.
 */
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, stubSettings } from '../test/e2e/codeServer.js';
import { ROOT } from '../test/support.js';
import { DEMO_ROWS_FILE, startDemoEndpoint } from './demo-endpoint.js';

/** The problem the "Try:" line names: Self-PRM calls the wrong solution correct, the PRM does not. */
export const DEMO_TRY_FILE = 'integer-roots.md';

export const DEMO_POLICY_MODEL = 'ProcessBench-replay/scripted-critic';
export const DEMO_PRM_MODEL = 'scripted/from-human-labels';

/** The demo's StepLens settings: the endpoint's names say what it is. */
export function demoSettings(chatBaseUrl: string, poolingUrl: string): Record<string, unknown> {
  return {
    ...stubSettings(chatBaseUrl, poolingUrl),
    // The workspace lies inside this repository: no "repository found in parent folders" prompt.
    'git.openRepositoryInParentFolders': 'never',
    // code-server would otherwise offer to forward every port it sees open on the machine.
    'remote.autoForwardPorts': false,
    // The names say what answers: recorded solutions from several models (each row's `generator`)
    // with scripted critiques, and a scripted PRM; the panel shows them beside every score.
    'steplens.policy.model': DEMO_POLICY_MODEL,
    // Three problems have two recorded solutions; asking for more would only show refusals.
    'steplens.policy.samples': 2,
    'steplens.selfJudge.critiques': 4,
    'steplens.prms': [
      { id: 'scripted-prm', kind: 'vllm-pooling', baseUrl: poolingUrl, model: DEMO_PRM_MODEL },
    ],
  };
}

/** A fresh copy of examples/ with the 40 ProcessBench rows beside them. */
export function makeDemoWorkspace(workspace: string): void {
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
  copyFileSync(DEMO_ROWS_FILE, join(workspace, 'processbench-40.jsonl'));
}

export const BANNER_SCRIPTED = [
  '  What is real:     the problems and the solutions: ProcessBench rows (Qwen team, Apache-2.0),',
  '                    written by real models and labelled by people (processbench-40.jsonl).',
  '  What is SCRIPTED: both judges. Self-PRM critiques and PRM step scores are derived from the human',
  '                    labels with a seeded perturbation (scripts/demo-endpoint.ts); no model runs here.',
];

async function main(): Promise<void> {
  const port = Number(process.env.DEMO_PORT ?? 8080);
  const endpointPort = Number(process.env.DEMO_ENDPOINT_PORT ?? 8000);
  const workspace = join(ROOT, '.vscode-test', 'demo-workspace');
  makeDemoWorkspace(workspace);

  const endpoint = await startDemoEndpoint({ port: endpointPort, latencyMs: 400, chunkDelayMs: 15 });
  const server = await startCodeServer({
    workspace,
    port,
    vsix: join(ROOT, 'steplens.vsix'),
    settings: demoSettings(endpoint.baseUrl, endpoint.url),
  });
  const lines = [
    '',
    'StepLens demo is running.',
    `  Open:      ${server.url}/?folder=${encodeURIComponent(workspace)}`,
    `  Endpoint:  ${endpoint.baseUrl} (chat) and ${endpoint.url}/pooling: the DEMO endpoint, no model.`,
    ...BANNER_SCRIPTED,
    `  Try:       right-click ${DEMO_TRY_FILE} → "StepLens: Analyze Problem": two real solutions, one right,`,
    '             one wrong; Self-PRM calls both correct, the PRM flags the wrong one (and doubts the right one).',
    '             Label with j/k, 1/2/3, s/p/b/x; F1 → "StepLens: Export Audits…".',
    '             More: processbench-40.jsonl → "StepLens: Score Existing Steps" (any of the 40 rows).',
    `  Files:     runs and exports land in ${join(workspace, '.steplens')}`,
    '  Stop:      Ctrl-C',
  ];
  console.log(lines.join('\n'));
  const stop = async () => {
    await server.stop();
    await endpoint.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1]?.endsWith('demo.ts')) {
  void main().catch((error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
