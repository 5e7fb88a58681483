/**
 * A `steplens.json` analysis config from disk, with the critique template files it points at
 * (the processbench protocol): checked here, so a bad key, path or template is one clear message
 * naming its file before any request is sent.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type RunConfig, RunConfigSchema } from '../core/config.js';
import { InputError, inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { type CritiqueTemplates, templateProblem } from '../core/processbench.js';
import { SELF_JUDGE_ID } from '../core/rerank.js';
import { readTextFile } from './files.js';

export async function readConfig(path: string): Promise<RunConfig> {
  const text = await readTextFile(path);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw jsonInputError({ file: path }, error);
  }
  const parsed = RunConfigSchema.safeParse(value);
  if (!parsed.success) throw inputErrorFromZod({ file: path }, parsed.error);
  return parsed.data;
}

export interface LoadedConfig {
  config: RunConfig;
  /** Template texts by judge id; empty under the steplens protocol. */
  templates: CritiqueTemplates;
  /** sha256 of each template text by judge id: a changed template makes results incomparable. */
  templateHashes: Record<string, string>;
}

/** The template paths a config names, by judge id, as written in the config. */
export function templatePaths(config: RunConfig): Record<string, string> {
  const paths: Record<string, string> = {};
  if (config.selfJudge.mode === 'critic' && config.selfJudge.template !== undefined)
    paths[SELF_JUDGE_ID] = config.selfJudge.template;
  for (const prm of config.prms)
    if (prm.kind === 'chat-critic' && prm.template !== undefined) paths[prm.id] = prm.template;
  return paths;
}

/**
 * Reads each critique template a config names: a relative path from `folder` (the config file's
 * folder), an absolute one as it is. A template ProcessBench's own rules could not fill is refused.
 */
export async function readCritiqueTemplates(
  config: RunConfig,
  folder: string,
): Promise<Pick<LoadedConfig, 'templates' | 'templateHashes'>> {
  const templates: Record<string, string> = {};
  const templateHashes: Record<string, string> = {};
  for (const [judge, written] of Object.entries(templatePaths(config))) {
    const path = isAbsolute(written) ? written : resolve(folder, written);
    const text = await readTextFile(path);
    const problem = templateProblem(text);
    if (problem !== null)
      throw new InputError({ file: path }, `critique template of judge "${judge}": ${problem}`);
    templates[judge] = text;
    templateHashes[judge] = createHash('sha256').update(text).digest('hex');
  }
  return { templates, templateHashes };
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const config = await readConfig(path);
  return { config, ...(await readCritiqueTemplates(config, dirname(resolve(path)))) };
}
