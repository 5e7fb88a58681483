/**
 * One analysis: sample N solutions, split each into steps, judge each by Self-PRM and every PRM
 * the moment it arrives, rerank, and hand back a valid Run — also when parts failed (recorded on
 * the sample) or the user cancelled (status "cancelled", everything finished so far kept, and the
 * text of unfinished samples as samples marked cancelled).
 */
import { randomBytes } from 'node:crypto';
import { answersEquivalent, extractAnswer, isNumericAnswer } from '../core/answers.js';
import { type RunConfig, withoutCredentials } from '../core/config.js';
import { requireScoredStep, verdictOf } from '../core/judgements.js';
import type { Problem } from '../core/problems.js';
import type { CritiqueTemplates } from '../core/processbench.js';
import { aggregateScores, rerank } from '../core/rerank.js';
import { type Judgement, type Run, RunSchema, type Sample } from '../core/schemas.js';
import { separateReasoning, splitSteps } from '../core/steps.js';
import { addUsage, type ChatChoice, type ChatEndpoint, type ChatUsage, type PartialChoice } from './chat.js';
import { errorText } from './credentials.js';
import { CancelledError } from './errors.js';
import {
  createJudges,
  createPolicyEndpoint,
  type EndpointTuning,
  type Judge,
  type KeyResolver,
} from './judges.js';
import { type SampleOutcome, sampleSolutions, solveRequest } from './sampler.js';

export type PipelineEvent =
  /** The run exists (no samples yet): a live view can show it from now on. */
  | { type: 'started'; run: Run }
  /** A sample arrived (or failed); `sample` is its current state, a delta for a live view. */
  | { type: 'sampled'; done: number; total: number; sample: Sample }
  /** One judge finished one sample. */
  | { type: 'judged'; done: number; total: number; sample: number; judge: string; judgement: Judgement }
  /** Characters streamed so far for a sample still being written. */
  | { type: 'streaming'; sample: number; characters: number }
  /** The tokens of a sampling request that served several samples (added to the run's samplingUsage). */
  | { type: 'usage'; usage: ChatUsage }
  | { type: 'retry'; endpoint: string; attempt: number; delayMs: number; message: string };

export interface PipelineOptions {
  config: RunConfig;
  resolveKey: KeyResolver;
  signal?: AbortSignal;
  onEvent?: (event: PipelineEvent) => void;
  tuning?: EndpointTuning;
  now?: () => Date;
  /** Critique template texts by judge id: the processbench protocol's critics need theirs. */
  templates?: CritiqueTemplates;
}

/** Endpoints made once for many analyses, so limits and PRM batches span all of them. */
export interface SharedEndpoints {
  policy: ChatEndpoint;
  judges: readonly Judge[];
}

/** The policy endpoint and judges of a config, to pass to many `analyze` calls as `endpoints`. */
export function createEndpoints(options: PipelineOptions): SharedEndpoints {
  const tuning = retryEvents(options);
  const policy = createPolicyEndpoint(options.config, options.resolveKey, tuning);
  return {
    policy,
    judges: createJudges(options.config, policy, options.resolveKey, tuning, options.templates),
  };
}

export function newRunId(problem: Problem, now: Date): string {
  // toISOString is always YYYY-MM-DDTHH:mm:ss.sssZ: the time to the second, without separators.
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const slug =
    problem.id
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'problem';
  return `${stamp}-${slug}-${randomBytes(2).toString('hex')}`;
}

/** Turns a model's output into a sample: trace apart, steps split, answer extracted and checked. */
export function buildSample(
  index: number,
  output: { content: string; reasoning?: string },
  problem: Problem,
  config: RunConfig,
): Sample {
  const separated = separateReasoning(output.content);
  const reasoning = output.reasoning ?? separated.reasoning;
  const text = separated.answerText;
  const numericFallback = problem.reference === undefined || isNumericAnswer(problem.reference);
  const answer = extractAnswer(text, { numericFallback });
  return {
    index,
    text,
    ...(reasoning ? { reasoning } : {}),
    steps: splitSteps(text, config.steps.strategy),
    answer,
    ...(problem.reference !== undefined ? { correct: answersEquivalent(answer, problem.reference) } : {}),
    judgements: {},
  };
}

/**
 * What an unfinished sample had streamed when the run was cancelled, split into steps for reading;
 * an unfinished text has no answer, and the sample is never judged or voted.
 */
export function cancelledSample(
  index: number,
  partial: PartialChoice,
  problem: Problem,
  config: RunConfig,
): Sample {
  const { correct: _unknown, ...sample } = buildSample(index, partial, problem, config);
  return { ...sample, answer: null, finishReason: 'cancelled', cancelled: true };
}

/** A row that already carries steps (ProcessBench, PRM800K) as the one sample to judge. */
export function sampleFromExistingSteps(
  problem: Problem,
  steps: readonly string[],
  config: RunConfig,
): Sample {
  const sample = buildSample(0, { content: steps.join('\n\n') }, problem, config);
  return { ...sample, steps: [...steps] };
}

/** A judge that gave no judgement on a sample of `stepCount` steps, and why. */
export function failedJudgement(message: string, stepCount: number): Judgement {
  return {
    stepScores: Array.from({ length: stepCount }, () => null),
    firstError: null,
    error: message,
  };
}

/**
 * A judge's judgement as the run records it: whatever the judge kind, no scored step is an error
 * on this sample, not "no error"; the solution score by the run's aggregation.
 */
export function recordedJudgement(returned: Judgement, config: RunConfig): Judgement {
  const judgement = requireScoredStep(returned);
  const solutionScore = judgement.error ? null : aggregateScores(judgement.stepScores, config.aggregate);
  return { ...judgement, solutionScore };
}

/** A sample the policy finished: built from its output, with how it ended and its tokens. */
export function finishedSample(
  index: number,
  choice: ChatChoice & { latencyMs?: number; usage?: ChatUsage },
  problem: Problem,
  config: RunConfig,
): Sample {
  return {
    ...buildSample(index, choice, problem, config),
    finishReason: choice.finishReason,
    ...(choice.latencyMs !== undefined ? { latencyMs: Math.round(choice.latencyMs) } : {}),
    ...(choice.usage ? { usage: choice.usage } : {}),
  };
}

/** A sample whose request failed: no text, never judged. */
export function failedSample(index: number, message: string): Sample {
  return { index, text: '', steps: [], answer: null, error: message, judgements: {} };
}

/** Drives the judges over samples as they come, counting for progress. */
class JudgingQueue {
  // Stryker disable next-line ArrayDeclaration: a stray non-promise in the list is awaited as settled
  private readonly tasks: Promise<void>[] = [];
  done = 0;
  total: number;

  /** `total`: the judgements expected, for progress; lowered as samples turn out unjudgeable. */
  constructor(
    private readonly problem: Problem,
    private readonly judges: readonly Judge[],
    private readonly config: RunConfig,
    total: number,
    private readonly options: PipelineOptions,
  ) {
    this.total = total;
  }

  /** A sample that will never be judged (failed, or no steps) lowers the expected total. */
  skip(): void {
    this.total -= this.judges.length;
  }

  add(sample: Sample, judges: readonly Judge[] = this.judges): void {
    for (const judge of judges) {
      this.tasks.push(
        judge
          .judge(this.problem.text, sample.steps, this.options.signal)
          .catch((error: unknown) => {
            // Cancelled (whatever the judge failed with then): the judgement stays absent.
            if (this.options.signal?.aborted) throw new CancelledError();
            return failedJudgement(errorText(error), sample.steps.length);
          })
          .then(
            (returned) => {
              const recorded = recordedJudgement(returned, this.config);
              sample.judgements[judge.info.id] = recorded;
              this.done += 1;
              this.options.onEvent?.({
                type: 'judged',
                done: this.done,
                total: this.total,
                sample: sample.index,
                judge: judge.info.id,
                judgement: recorded,
              });
            },
            () => {
              // Cancelled: the judgement stays absent, which a run file reads as "not judged".
            },
          ),
      );
    }
  }

  /** Called once every sample has been added: waits for every judgement. */
  async drain(): Promise<void> {
    await Promise.all(this.tasks);
  }
}

function finish(run: Run, signal: AbortSignal | undefined, now: () => Date): Run {
  run.samples.sort((a, b) => a.index - b.index);
  run.status = signal?.aborted ? 'cancelled' : 'complete';
  run.finishedAt = now().toISOString();
  run.rerank = rerank(run.samples, run.judges, run.problem.reference, run.config);
  return RunSchema.parse(run);
}

function retryEvents(options: PipelineOptions): EndpointTuning {
  return {
    ...options.tuning,
    onRetry: (event) => {
      options.tuning?.onRetry?.(event);
      options.onEvent?.({
        type: 'retry',
        endpoint: event.endpoint,
        attempt: event.attempt,
        delayMs: event.delayMs,
        message: event.error.message,
      });
    },
  };
}

/**
 * Samples `config.policy.n` solutions and judges them; with `existingSteps`, judges the problem's
 * own steps as the single sample instead (nothing is sampled).
 */
export interface AnalyzeOptions extends PipelineOptions {
  /** Judge the problem's own steps as the one sample instead of sampling. */
  existingSteps?: boolean;
  /** Endpoints shared with other analyses (a dataset run); made for this one otherwise. */
  endpoints?: SharedEndpoints;
  /**
   * Samples an earlier, interrupted attempt finished, with the judgements they got: kept as they
   * are; only missing samples and missing judgements are requested.
   */
  resume?: readonly Sample[];
  /** With `resume`: failed samples and failed judgements are requested again instead of kept. */
  retryFailed?: boolean;
  /** With `resume`: the sampling tokens the earlier attempt had counted for the whole run. */
  resumeSamplingUsage?: ChatUsage;
}

export async function analyze(problem: Problem, options: AnalyzeOptions): Promise<Run> {
  const { config, signal } = options;
  const now = options.now ?? (() => new Date());
  const { policy, judges } = options.endpoints ?? createEndpoints(options);
  const created = now();
  const run: Run = {
    schemaVersion: 1,
    id: newRunId(problem, created),
    createdAt: created.toISOString(),
    status: 'running',
    problem,
    config: withoutCredentials(config),
    judges: judges.map((judge) => judge.info),
    samples: [],
    rerank: [],
  };

  const ownSteps = options.existingSteps ? (problem.steps ?? []) : undefined;
  if (ownSteps?.length === 0) {
    throw new Error(`problem "${problem.id}" has no steps of its own to score`);
  }
  options.onEvent?.({ type: 'started', run: structuredClone(run) });

  if (ownSteps) {
    const queue = new JudgingQueue(problem, judges, config, judges.length, options);
    const sample = sampleFromExistingSteps(problem, ownSteps, config);
    run.samples.push(sample);
    options.onEvent?.({ type: 'sampled', done: 1, total: 1, sample });
    queue.add(sample);
    await queue.drain();
    return finish(run, signal, now);
  }

  const n = config.policy.n;
  if (options.resumeSamplingUsage) run.samplingUsage = { ...options.resumeSamplingUsage };
  // Samples an earlier attempt finished (a resumed dataset run) are kept with their judgements;
  // only the missing samples are asked for, and only the judgements each kept sample lacks.
  const kept = (options.resume ?? [])
    .filter((sample) => sample.index < n && !sample.cancelled && !(options.retryFailed && sample.error))
    .map((sample) => structuredClone(sample));
  const keptSlots = new Set(kept.map((sample) => sample.index));
  const slots = Array.from({ length: n }, (_, slot) => slot).filter((slot) => !keptSlots.has(slot));
  const lacking = kept.map((sample) => ({
    sample,
    judges:
      sample.error || sample.steps.length === 0
        ? []
        : judges.filter((judge) => {
            const judgement = sample.judgements[judge.info.id];
            // The processbench protocol's "no prediction" is an answer: asking again buys the same.
            return (
              !judgement ||
              (options.retryFailed === true &&
                judgement.error !== undefined &&
                judgement.prediction === undefined)
            );
          }),
  }));
  const queue = new JudgingQueue(
    problem,
    judges,
    config,
    slots.length * judges.length + lacking.reduce((sum, entry) => sum + entry.judges.length, 0),
    options,
  );
  for (const { sample, judges: missing } of lacking)
    for (const judge of missing) delete sample.judgements[judge.info.id];
  // Judgements that are kept count as done.
  queue.done = kept.reduce((sum, sample) => sum + Object.keys(sample.judgements).length, 0);
  queue.total += queue.done;
  let sampled = kept.length;
  for (const { sample, judges: missing } of lacking) {
    run.samples.push(sample);
    queue.add(sample, missing);
  }
  const onSample = (slot: number, outcome: SampleOutcome) => {
    const sample: Sample = outcome.ok
      ? finishedSample(slot, outcome.choice, problem, config)
      : failedSample(slot, outcome.error);
    run.samples.push(sample);
    sampled += 1;
    options.onEvent?.({ type: 'sampled', done: sampled, total: n, sample });
    if (sample.steps.length === 0) queue.skip();
    else queue.add(sample);
  };
  const onCancelled = (slot: number, partial: PartialChoice) => {
    const sample = cancelledSample(slot, partial, problem, config);
    run.samples.push(sample);
    options.onEvent?.({ type: 'sampled', done: sampled, total: n, sample });
  };
  await sampleSolutions(
    policy,
    solveRequest(problem.text, config.policy),
    slots,
    {
      onSample,
      onCancelled,
      onProgress: (slot, characters) => options.onEvent?.({ type: 'streaming', sample: slot, characters }),
      onUsage: (usage) => {
        run.samplingUsage = addUsage(run.samplingUsage, usage);
        options.onEvent?.({ type: 'usage', usage });
      },
    },
    signal,
  );
  await queue.drain();
  return finish(run, signal, now);
}

/**
 * Adds or replaces judges on an existing run without resampling. The run keeps its policy and
 * steps; the judge settings, aggregation and threshold become the new config's, PRMs of the old
 * run that the new config does not name are kept, and every solution score (and every score
 * judge's first error, at the new τ) is recomputed.
 */
export async function rescore(existing: Run, options: PipelineOptions): Promise<Run> {
  const now = options.now ?? (() => new Date());
  const tuning = retryEvents(options);
  const newIds = new Set(options.config.prms.map((prm) => prm.id));
  const config: RunConfig = {
    ...options.config,
    policy: existing.config.policy,
    steps: existing.config.steps,
    prms: [...existing.config.prms.filter((prm) => !newIds.has(prm.id)), ...options.config.prms],
  };
  // Self-PRM asks the endpoint the new config names; only the new config's judges run.
  const policy = createPolicyEndpoint(options.config, options.resolveKey, tuning);
  const judges = createJudges(options.config, policy, options.resolveKey, tuning, options.templates);
  const judgeIds = new Set(judges.map((judge) => judge.info.id));
  const run: Run = structuredClone(existing);
  run.config = withoutCredentials(config);
  run.judges = [
    ...existing.judges.filter((judge) => !judgeIds.has(judge.id)),
    ...judges.map((judge) => judge.info),
  ];
  run.status = 'running';

  const judgeable = run.samples.filter(
    (sample) => !sample.error && !sample.cancelled && sample.steps.length > 0,
  );
  for (const sample of judgeable) for (const id of judgeIds) delete sample.judgements[id];
  options.onEvent?.({ type: 'started', run: structuredClone(run) });
  const queue = new JudgingQueue(run.problem, judges, config, judgeable.length, options);
  for (const sample of judgeable) {
    // Kept judgements are re-read under the new config: solution scores by its aggregation, a score
    // judge's first error at its (possibly new) τ.
    for (const [id, judgement] of Object.entries(sample.judgements)) {
      const verdict = verdictOf(run, id, judgement);
      sample.judgements[id] = verdict
        ? {
            ...judgement,
            firstError: verdict.firstError,
            solutionScore: aggregateScores(judgement.stepScores, config.aggregate),
          }
        : // A file from before no-scored-step judgements were errors gets marked as one now.
          requireScoredStep(judgement);
    }
    queue.add(sample);
  }
  await queue.drain();
  const result = finish(run, options.signal, now);
  // Rescoring does not finish a sampling that was cut short.
  if (existing.status === 'cancelled') result.status = 'cancelled';
  return result;
}
