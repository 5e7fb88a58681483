/**
 * Who is labelling when nobody said: git's `user.name` (what a team already set on every machine),
 * else the operating-system user, else "unnamed". A name that is not a valid annotator id (too long,
 * control characters) is passed over, never cut to fit: two people must not collapse into one name.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { UNNAMED_ANNOTATOR } from '../core/annotators.js';
import { AnnotatorSchema } from '../core/schemas.js';

export type AnnotatorOrigin = 'setting' | 'git' | 'os' | 'none';

export interface ResolvedAnnotator {
  name: string;
  origin: AnnotatorOrigin;
}

function valid(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const parsed = AnnotatorSchema.safeParse(name);
  return parsed.success ? parsed.data : undefined;
}

/** `git config user.name` in `cwd`; undefined when git is missing, slow, or has no name. */
export function gitUserName(cwd: string | undefined, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['config', '--get', 'user.name'],
      { cwd, timeout: timeoutMs, windowsHide: true, encoding: 'utf8' },
      (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined),
    );
  });
}

function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export async function resolveAnnotator(
  setting: string | undefined,
  cwd: string | undefined,
  sources: {
    git?: (cwd: string | undefined) => Promise<string | undefined>;
    os?: () => string | undefined;
  } = {},
): Promise<ResolvedAnnotator> {
  const fromSetting = valid(setting);
  if (fromSetting) return { name: fromSetting, origin: 'setting' };
  const fromGit = valid(await (sources.git ?? gitUserName)(cwd));
  if (fromGit) return { name: fromGit, origin: 'git' };
  const fromOs = valid((sources.os ?? osUserName)());
  if (fromOs) return { name: fromOs, origin: 'os' };
  return { name: UNNAMED_ANNOTATOR, origin: 'none' };
}
