/**
 * Where an endpoint URL came from, in words a user can act on, and what a finished run says about
 * its endpoints. Pure (no `vscode` import): the host hands in what `WorkspaceConfiguration.inspect`
 * returned, so the rules are unit-tested in Node.
 *
 * The settings that route a key are `application`-scoped: VS Code reads them from the User
 * settings in every window, local or remote (code-server, Remote-SSH, WSL, Codespaces), and never
 * from a workspace. `machine` scope was tried first and fails users: in a remote window a User
 * value is ignored ("cannot be applied in this window") and the default is used without a word.
 */
import { endpointUrls, urlWithoutCredentials } from '../core/config.js';
import type { Run } from '../core/schemas.js';

/** The parts of `WorkspaceConfiguration.inspect()` that say where a value came from. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface SettingSource {
  /** The full setting name, e.g. `steplens.policy.baseUrl`. */
  setting: string;
  origin: 'user' | 'default';
  /** A workspace set a value of its own, which was not used. */
  workspaceRefused: boolean;
  /** `vscode.env.remoteName` (`ssh-remote`, `wsl`, …) in a remote window. */
  remoteName?: string | undefined;
}

export function settingSource<T>(
  setting: string,
  inspected: InspectedSetting<T> | undefined,
  remoteName?: string,
): SettingSource {
  const workspace = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  return {
    setting,
    origin: inspected?.globalValue !== undefined ? 'user' : 'default',
    workspaceRefused: workspace !== undefined && workspace !== inspected?.globalValue,
    ...(remoteName ? { remoteName } : {}),
  };
}

/** "steplens.policy.baseUrl from your User settings", or why it is the default. */
export function describeSource(source: SettingSource): string {
  const where =
    source.origin === 'user'
      ? `${source.setting} from your User settings`
      : `the default: ${source.setting} is not set in your User settings` +
        (source.remoteName
          ? ` (this window is remote, ${source.remoteName}: StepLens reads it from your User settings, not from Remote settings)`
          : '');
  return source.workspaceRefused
    ? `${where}; this workspace's own value is ignored, as a workspace may not redirect your key`
    : where;
}

/** An endpoint as messages name it: its URL or its replicas' (credentials removed) and where they came from. */
export function describeEndpoint(baseUrl: string | readonly string[], source: SettingSource): string {
  return `${endpointUrls({ baseUrl }).map(urlWithoutCredentials).join(', ')} (${describeSource(source)})`;
}

function count(what: string, failed: number, of: number, firstError: string | undefined): string {
  return `${what} ${failed} of ${of} samples${firstError ? ` (${firstError})` : ''}`;
}

/**
 * One line per endpoint that failed in a finished run, naming the endpoint: sampling failures
 * name the policy endpoint, a judge's failures its own. `judges` maps each judge that ran to its
 * endpoint's description; judges not named (kept from an earlier run) are not reported.
 */
export function endpointFailures(
  run: Pick<Run, 'samples'>,
  endpoints: { policy: string; judges: Record<string, string> },
): string[] {
  const lines: string[] = [];
  const failedSamples = run.samples.filter((sample) => sample.error !== undefined && !sample.cancelled);
  if (failedSamples.length > 0) {
    lines.push(
      `${count('sampling failed on', failedSamples.length, run.samples.length, failedSamples[0]!.error)} at the policy endpoint ${endpoints.policy}`,
    );
  }
  const judged = run.samples.filter((sample) => sample.error === undefined && !sample.cancelled);
  for (const [judge, endpoint] of Object.entries(endpoints.judges)) {
    const failed = judged.filter((sample) => sample.judgements[judge]?.error !== undefined);
    if (failed.length === 0) continue;
    lines.push(
      `${count(`${judge} failed on`, failed.length, judged.length, failed[0]!.judgements[judge]!.error)} at ${endpoint}`,
    );
  }
  return lines;
}
