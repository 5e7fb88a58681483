/**
 * Rescore Run…: which judges the user may run on a saved run, and what changed afterwards. Pure (no
 * `vscode` import), unit-tested in Node; commands.ts shows the choices in a QuickPick.
 */
import type { RunConfig } from '../core/config.js';
import { SELF_JUDGE_ID } from '../core/rerank.js';
import type { Run } from '../core/schemas.js';

export interface JudgeChoice {
  id: string;
  /** What it is: "Self-PRM critic (Qwen/QwQ-32B)", "vllm-pooling PRM (Qwen/Qwen2.5-Math-PRM-7B)". */
  what: string;
  /** The run holds this judge already: running it replaces its judgements. */
  inRun: boolean;
}

/** The judges the settings configure, each marked by whether the run already has it. */
export function judgeChoices(config: RunConfig, run: Pick<Run, 'judges'>): JudgeChoice[] {
  const inRun = new Set(run.judges.map((judge) => judge.id));
  const choices: JudgeChoice[] = [];
  if (config.selfJudge.mode !== 'off') {
    choices.push({
      id: SELF_JUDGE_ID,
      what: `Self-PRM ${config.selfJudge.mode} (${config.policy.model})`,
      inRun: inRun.has(SELF_JUDGE_ID),
    });
  }
  for (const prm of config.prms)
    choices.push({ id: prm.id, what: `${prm.kind} PRM (${prm.model})`, inRun: inRun.has(prm.id) });
  return choices;
}

/** The settings narrowed to the chosen judges: the pipeline runs exactly the judges a config names. */
export function configFor(config: RunConfig, chosen: readonly string[]): RunConfig {
  return {
    ...config,
    selfJudge: chosen.includes(SELF_JUDGE_ID) ? config.selfJudge : { ...config.selfJudge, mode: 'off' },
    prms: config.prms.filter((prm) => chosen.includes(prm.id)),
  };
}

/**
 * What a rescore changed, in one sentence: "Rescored 8 samples of p1: self replaced, qwen-prm
 * added; 2 judgements failed (see the log)."
 */
export function describeRescore(before: Pick<Run, 'judges'>, after: Run, chosen: readonly string[]): string {
  const had = new Set(before.judges.map((judge) => judge.id));
  const judged = after.samples.filter(
    (sample) => sample.error === undefined && !sample.cancelled && sample.steps.length > 0,
  );
  const changes = chosen.map((id) => `${id} ${had.has(id) ? 'replaced' : 'added'}`);
  const failed = judged.reduce(
    (sum, sample) => sum + chosen.filter((id) => sample.judgements[id]?.error !== undefined).length,
    0,
  );
  const kept = before.judges.map((judge) => judge.id).filter((id) => !chosen.includes(id));
  return (
    `Rescored ${judged.length} sample${judged.length === 1 ? '' : 's'} of ${after.problem.id}: ${changes.join(', ')}` +
    (kept.length > 0 ? ` (${kept.join(', ')} kept)` : '') +
    (failed > 0 ? `; ${failed} judgement${failed === 1 ? '' : 's'} failed (see the log).` : '.')
  );
}
