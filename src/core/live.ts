/**
 * A run while it is being analyzed: samples and judgements arrive one by one, in any order, and
 * the run finishes with its reranker picks. One pure function applies each such delta, for every
 * copy of the run that must follow it (the host's session and each panel).
 *
 * The deltas have the shapes of the `run/*` host messages in src/protocol.ts (which they are, on
 * the panel's side), but are written here in core's own types so that the host can apply them
 * before it posts anything.
 */
import type { Judgement, RerankPick, Run, Sample } from './schemas.js';

export type LiveUpdate =
  /** A sample was sampled (or failed, or was cut by a cancel); a sample of the same index is replaced. */
  | { type: 'run/sample'; runId: string; sample: Sample }
  /** A judge finished one sample. */
  | { type: 'run/judgement'; runId: string; sample: number; judge: string; judgement: Judgement }
  /** Progress says the run's status (running, or cancelled while the rest drains). */
  | { type: 'run/progress'; runId: string; status: Run['status'] }
  /** The run is over: its status, when, and what each reranker picks. */
  | {
      type: 'run/finished';
      runId: string;
      status: Run['status'];
      finishedAt?: string;
      rerank: RerankPick[];
    };

/**
 * `run` with `update` applied, as a new object that shares every part the update does not touch;
 * `run` itself is not changed. Returns `run` itself (the same object) when the update does not
 * apply: it concerns another run, or a judgement of a sample the run does not have. Samples stay
 * in index order, whatever order they arrive in.
 */
export function applyLiveUpdate(run: Run, update: LiveUpdate): Run {
  if (update.runId !== run.id) return run;
  switch (update.type) {
    case 'run/sample': {
      const samples = run.samples.filter((sample) => sample.index !== update.sample.index);
      samples.push(update.sample);
      samples.sort((a, b) => a.index - b.index);
      return { ...run, samples };
    }
    case 'run/judgement': {
      const at = run.samples.findIndex((sample) => sample.index === update.sample);
      if (at === -1) return run;
      const sample = run.samples[at]!;
      const samples = [...run.samples];
      samples[at] = { ...sample, judgements: { ...sample.judgements, [update.judge]: update.judgement } };
      return { ...run, samples };
    }
    case 'run/progress':
      return { ...run, status: update.status };
    case 'run/finished': {
      const { finishedAt, ...rest } = run;
      return {
        ...rest,
        status: update.status,
        rerank: update.rerank,
        ...(update.finishedAt !== undefined
          ? { finishedAt: update.finishedAt }
          : finishedAt
            ? { finishedAt }
            : {}),
      };
    }
  }
}
