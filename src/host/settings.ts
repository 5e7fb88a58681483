/**
 * StepLens's settings, validated with the same zod schema as the CLI's config file. Settings that
 * decide where a key is sent (endpoint URLs, the key's environment variable, the PRM list) are
 * `application`-scoped and read from the User settings only (see endpointSource.ts for why not
 * `machine`): a cloned repository's .vscode/settings.json cannot redirect a key, even where the
 * manifest's scope were ignored.
 */
import * as vscode from 'vscode';
import { type RunConfig, RunConfigSchema } from '../core/config.js';
import { type SettingSource, settingSource } from './endpointSource.js';

export const SECTION = 'steplens';

/** Settings that route keys: never taken from a workspace. */
export const KEY_ROUTING_SETTINGS = [
  'policy.baseUrl',
  'policy.apiKeyEnv',
  'prms',
  'evaluation.configFile',
] as const;

/** Where the policy URL and the PRM list (with their URLs) come from, for messages that name them. */
export function endpointSources(
  configuration = vscode.workspace.getConfiguration(SECTION),
  remoteName = vscode.env.remoteName,
): { policy: SettingSource; prms: SettingSource } {
  return {
    policy: settingSource(
      `${SECTION}.policy.baseUrl`,
      configuration.inspect<string | string[]>('policy.baseUrl'),
      remoteName,
    ),
    prms: settingSource(`${SECTION}.prms`, configuration.inspect<unknown[]>('prms'), remoteName),
  };
}

function userValue<T>(configuration: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = configuration.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/**
 * Settings that multiply requests or tokens on the user's key, with the most a workspace may ask
 * for without the user's say-so. A cloned repository's `.vscode/settings.json` asking for more is
 * not taken on trust (1024 samples × 64 critiques is 66,688 requests from one click).
 */
export const COST_SETTINGS = {
  'policy.samples': 16,
  'selfJudge.critiques': 8,
  'policy.maxTokens': 32768,
  'policy.concurrency': 16,
} as const;
/** Self-judging one request per step (a whole reasoning per step for reasoning models). */
const COSTLY_MODE = { setting: 'selfJudge.mode', value: 'stepwise' } as const;
export type CostSetting = keyof typeof COST_SETTINGS | typeof COSTLY_MODE.setting;

export interface WorkspaceCostValue {
  setting: CostSetting;
  /** What the workspace (or a workspace folder) asks for. */
  workspaceValue: number | string;
  /** What the user's own settings (or the default) say. */
  userValue: number | string;
}

function sources<T>(configuration: vscode.WorkspaceConfiguration, setting: string) {
  const inspected = configuration.inspect<T>(setting);
  return {
    workspace: inspected?.workspaceFolderValue ?? inspected?.workspaceValue,
    user: inspected?.globalValue ?? inspected?.defaultValue,
  };
}

/** The cost settings whose workspace value asks for more than a workspace may set alone. */
export function workspaceCostValues(
  configuration = vscode.workspace.getConfiguration(SECTION),
): WorkspaceCostValue[] {
  const found: WorkspaceCostValue[] = [];
  for (const [setting, cap] of Object.entries(COST_SETTINGS) as [keyof typeof COST_SETTINGS, number][]) {
    const { workspace, user } = sources<number>(configuration, setting);
    if (typeof workspace === 'number' && typeof user === 'number' && workspace > Math.max(cap, user)) {
      found.push({ setting, workspaceValue: workspace, userValue: user });
    }
  }
  const mode = sources<string>(configuration, COSTLY_MODE.setting);
  if (mode.workspace === COSTLY_MODE.value && mode.user !== COSTLY_MODE.value && mode.user !== undefined) {
    found.push({ setting: COSTLY_MODE.setting, workspaceValue: mode.workspace, userValue: mode.user });
  }
  return found;
}

/** From a zod issue path to the setting a user would edit. */
export function settingName(path: readonly PropertyKey[]): string {
  const [first, second, ...rest] = path.map(String);
  const map: Record<string, string> = {
    'policy.n': 'policy.samples',
    'policy.timeoutMs': 'policy.timeoutSeconds',
    'policy.requestDeadlineMs': 'policy.requestDeadlineSeconds',
    'selfJudge.samples': 'selfJudge.critiques',
    'steps.strategy': 'steps.strategy',
    threshold: 'disagreementThreshold',
  };
  if (first === 'prms') return `${SECTION}.prms[${second ?? ''}]${rest.length ? `.${rest.join('.')}` : ''}`;
  const key = second === undefined ? (first ?? '') : `${first}.${second}`;
  return `${SECTION}.${map[key] ?? key}`;
}

export type ConfigResult = { ok: true; config: RunConfig } | { ok: false; message: string; setting: string };

/**
 * The run configuration from the settings. Cost settings named in `userValuesFor` are read from
 * the user's settings only (the user declined the workspace's values).
 */
export function readRunConfig(
  configuration = vscode.workspace.getConfiguration(SECTION),
  userValuesFor: readonly CostSetting[] = [],
): ConfigResult {
  const get = <T>(key: string) =>
    (userValuesFor as readonly string[]).includes(key)
      ? userValue<T>(configuration, key)
      : configuration.get<T>(key);
  const apiKeyEnv = userValue<string>(configuration, 'policy.apiKeyEnv');
  const timeoutSeconds = get<number>('policy.timeoutSeconds');
  const deadlineSeconds = get<number | null>('policy.requestDeadlineSeconds');
  const input = {
    policy: {
      baseUrl: userValue<string | string[]>(configuration, 'policy.baseUrl'),
      model: get<string>('policy.model'),
      ...(apiKeyEnv ? { apiKeyEnv } : {}),
      n: get<number>('policy.samples'),
      temperature: get<number>('policy.temperature'),
      topP: get<number>('policy.topP'),
      maxTokens: get<number>('policy.maxTokens'),
      concurrency: get<number>('policy.concurrency'),
      ...(typeof timeoutSeconds === 'number' ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}),
      ...(typeof deadlineSeconds === 'number'
        ? { requestDeadlineMs: Math.round(deadlineSeconds * 1000) }
        : {}),
    },
    selfJudge: {
      mode: get<string>('selfJudge.mode'),
      samples: get<number>('selfJudge.critiques'),
      structuredOutput: get<boolean>('selfJudge.structuredOutput'),
    },
    prms: userValue<unknown[]>(configuration, 'prms') ?? [],
    steps: { strategy: get<string>('steps.strategy') },
    aggregate: get<string>('aggregate'),
    threshold: get<number>('disagreementThreshold'),
  };
  const parsed = RunConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  const setting = settingName(issue?.path ?? []);
  return { ok: false, setting, message: `Setting "${setting}": ${issue?.message ?? 'invalid value'}` };
}

/**
 * `steplens.evaluation.configFile`: a steplens.json for Evaluate Judges instead of these settings
 * (empty: none). Read from the User settings only, as the key-routing settings are: the file names
 * the endpoints and the environment variables whose keys go to them.
 */
export function evaluationConfigFile(
  configuration = vscode.workspace.getConfiguration(SECTION),
): string | undefined {
  const value = userValue<string>(configuration, 'evaluation.configFile');
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
