/**
 * A real VS Code (code-server 4.100.3, VS Code 1.100.3) started for one test: its own config,
 * user data, extensions and XDG folders, user settings pointing StepLens at the stub endpoints,
 * no gallery, no telemetry. Installed by scripts/install-code-server.sh.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support.js';

export const CODE_SERVER = join(ROOT, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');

export interface CodeServer {
  url: string;
  port: number;
  workspace: string;
  /** The User settings file (what Preferences: Open User Settings (JSON) edits). */
  userSettings: string;
  /** Everything code-server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A workspace with the examples and a malformed file, in a fresh temp folder. */
export function makeWorkspace(): string {
  const workspace = mkdtempSync(join(tmpdir(), 'steplens-ws-'));
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
  writeFileSync(
    join(workspace, 'malformed.jsonl'),
    '{"problem": "A fine row.", "steps": ["ok"]}\n{"problem": "A broken row.", "steps": ["ok", 2]}\n',
  );
  return workspace;
}

export interface StartOptions {
  workspace: string;
  settings: Record<string, unknown>;
  /** A .vsix to install first (the end-to-end test); the integration suite loads the source tree instead. */
  vsix?: string;
  env?: Record<string, string>;
  /** A fixed port (the demo); tests take a free one. */
  port?: number;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const run = mkdtempSync(join(tmpdir(), 'steplens-cs-'));
  const dirs = {
    config: join(run, 'config.yaml'),
    user: join(run, 'user'),
    extensions: join(run, 'ext'),
    xdgConfig: join(run, 'xdg', 'config'),
    xdgData: join(run, 'xdg', 'data'),
  };
  for (const dir of [dirs.user, dirs.extensions, dirs.xdgConfig, dirs.xdgData])
    mkdirSync(dir, { recursive: true });
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.user, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'chat.disableAIFeatures': true,
        ...options.settings,
      },
      null,
      2,
    ),
  );
  const common = ['--config', dirs.config, '--user-data-dir', dirs.user, '--extensions-dir', dirs.extensions];
  if (options.vsix) {
    await promisify(execFile)(CODE_SERVER, [...common, '--install-extension', options.vsix], {
      timeout: 120_000,
    });
  }
  const port = options.port ?? (await freePort());
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
    ...options.env,
  };
  const child: ChildProcess = spawn(
    CODE_SERVER,
    [
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-proxy',
      '--ignore-last-opened',
      options.workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    port,
    workspace: options.workspace,
    userSettings: join(dirs.user, 'User', 'settings.json'),
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    },
  };
}

/** Settings that point StepLens at the stubs (user settings: the only place they are read from). */
export function stubSettings(policyBaseUrl: string, prmUrl: string): Record<string, unknown> {
  return { ...runSettings(), ...endpointSettings(policyBaseUrl, prmUrl) };
}

/** The settings that do not route a key. */
export function runSettings(): Record<string, unknown> {
  return {
    'steplens.policy.model': 'Qwen/QwQ-32B',
    'steplens.policy.samples': 4,
    'steplens.policy.timeoutSeconds': 20,
    'steplens.selfJudge.critiques': 4,
  };
}

/** The endpoints, as the README's quick start writes them in the User settings. */
export function endpointSettings(policyBaseUrl: string, prmUrl: string): Record<string, unknown> {
  return {
    'steplens.policy.baseUrl': policyBaseUrl,
    'steplens.prms': [
      { id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: prmUrl, model: 'Qwen/Qwen2.5-Math-PRM-7B' },
    ],
  };
}
