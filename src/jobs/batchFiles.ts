/**
 * A dataset run's chat requests through a batch engine instead of an endpoint: `exportBatch` writes
 * what the dataset folder still lacks (samples, or one critic's judgements of journaled samples) as
 * OpenAI Batch JSONL, which vLLM's offline run-batch and the OpenAI Batch API run unchanged;
 * `importBatch` reads their output into the problems' journals exactly as the online path would have
 * written them — in any order, a line repeated or failed — and the next `steplens evaluate` (PRMs
 * online) finishes the runs from there. Problems and config are the same arguments as `evaluate`;
 * a config that would sample or judge otherwise than the folder's is refused.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  BATCH_URL,
  type BatchOutputLine,
  BatchOutputLineSchema,
  type BatchRequestLine,
  type BatchStage,
  type BatchTarget,
  customId,
  lineFailure,
  parseCustomId,
} from '../core/batch.js';
import type { RunConfig } from '../core/config.js';
import { InputError } from '../core/errors.js';
import { SELF_JUDGE_ID } from '../core/rerank.js';
import type { Sample } from '../core/schemas.js';
import type { LoadedConfig } from '../io/configFile.js';
import { type JournalLine, JournalWriter, readJournal } from '../io/runJournal.js';
import { parseCompletion } from '../llm/chat.js';
import { type CritiquePlanner, critiquePlanners } from '../llm/judges.js';
import { failedJudgement, failedSample, finishedSample, recordedJudgement } from '../llm/pipeline.js';
import { solveRequest } from '../llm/sampler.js';
import { claimFolder, type Entry, finishedRun, readProblems } from './dataset.js';

/** A short hash of a sample's steps: a critique of other steps (the slot was sampled again) is not imported. */
export function stepsHash(steps: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(steps)).digest('hex').slice(0, 12);
}

interface Dataset {
  entries: Entry[];
  excluded: string[];
  byName: Map<string, Entry>;
}

async function openDataset(
  files: readonly string[],
  loaded: LoadedConfig,
  out: string,
  strict: boolean,
): Promise<Dataset> {
  const { entries, excluded } = await readProblems(files, join(out, 'runs'), strict);
  if (entries.length === 0)
    throw new InputError({ file: files.join(', ') }, 'no problem to run (every row was excluded)');
  await claimFolder(out, loaded);
  const byName = new Map<string, Entry>();
  for (const entry of entries) byName.set(nameOf(entry), entry);
  return { entries, excluded, byName };
}

/** The file name a problem's run and journal are kept under (its custom_id part). */
function nameOf(entry: Entry): string {
  return basename(entry.journalPath, '.journal.jsonl');
}

/** The critic a critique stage asks: the one named, or Self-PRM; anything else is refused. */
function criticOf(config: RunConfig, loaded: LoadedConfig, judge: string | undefined) {
  const planners = critiquePlanners(config, loaded.templates);
  const id = judge ?? SELF_JUDGE_ID;
  const critic = planners.get(id);
  if (!critic) {
    const critics = [...planners.keys()];
    throw new InputError(
      { file: '--judge' },
      `judge "${id}" is no critic of this config, so it has no chat requests to batch${critics.length > 0 ? ` (critics: ${critics.join(', ')})` : ' (it has no critic)'}; PRMs and logprob judges are scored online by steplens evaluate`,
    );
  }
  return { id, ...critic };
}

// ---------------------------------------------------------------------------------------------
// Export

export interface BatchExportJob {
  files: readonly string[];
  loaded: LoadedConfig;
  out: string;
  stage: BatchStage;
  /** Critique stage: the critic judge (default Self-PRM). One file holds one model's requests. */
  judge?: string;
  /** Where the batch input JSONL goes (split into numbered parts beside it when it exceeds a limit). */
  requests: string;
  strict?: boolean;
  /** Most lines and bytes per file: the OpenAI Batch API takes up to 50,000 requests and 200 MB per input file. */
  maxLines?: number;
  maxBytes?: number;
}

export const OPENAI_BATCH_LIMITS = { maxLines: 50_000, maxBytes: 200_000_000 } as const;

export interface BatchExportOutcome {
  /**
   * The files written: the path asked for, or — when the requests exceed a limit — numbered parts
   * beside it (`samples.001.jsonl`, …), each a batch of its own; a problem's lines stay in one part.
   */
  requests: string[];
  stage: BatchStage;
  /** The model every line names (one model per batch file, as the engines ask). */
  model: string;
  judge?: string;
  lines: number;
  /** Problems with at least one line. */
  pendingProblems: number;
  /** Problems already finished (a run file): nothing to ask. */
  finished: number;
  problems: number;
  excluded: string[];
}

/** A sample that stands: finished, not failed or cut short. */
const stands = (sample: Sample | undefined): boolean =>
  sample !== undefined && !sample.error && !sample.cancelled;

export async function exportBatch(job: BatchExportJob): Promise<BatchExportOutcome> {
  const { config } = job.loaded;
  const dataset = await openDataset(job.files, job.loaded, job.out, job.strict === true);
  const critic = job.stage === 'critique' ? criticOf(config, job.loaded, job.judge) : undefined;
  const model = critic?.model ?? config.policy.model;
  const n = config.policy.n;
  const parts = new PartWriter(
    job.requests,
    job.maxLines ?? OPENAI_BATCH_LIMITS.maxLines,
    job.maxBytes ?? OPENAI_BATCH_LIMITS.maxBytes,
  );
  let lines = 0;
  let pendingProblems = 0;
  let finished = 0;
  try {
    for (const entry of dataset.entries) {
      if (await finishedRun(entry)) {
        finished += 1;
        continue;
      }
      const samples = new Map((await readJournal(entry.journalPath)).samples.map((s) => [s.index, s]));
      const name = nameOf(entry);
      const batch: BatchRequestLine[] = [];
      const line = (target: BatchTarget, request: object, choices: number): BatchRequestLine => ({
        custom_id: customId(target),
        method: 'POST',
        url: BATCH_URL,
        body: { model, ...request, ...(choices > 1 ? { n: choices } : {}) },
      });
      if (!critic) {
        const request = solveRequest(entry.problem.text, config.policy);
        for (let index = 0; index < n; index++)
          if (!stands(samples.get(index)))
            batch.push(line({ stage: 'sample', problem: name, sample: index }, request, 1));
      } else {
        for (const sample of [...samples.values()].sort((a, b) => a.index - b.index)) {
          if (!stands(sample) || sample.index >= n || sample.steps.length === 0) continue;
          const judgement = sample.judgements[critic.id];
          if (judgement && !judgement.error) continue;
          const plan = critic.plan(entry.problem.text, sample.steps);
          const target: BatchTarget = {
            stage: 'critique',
            problem: name,
            sample: sample.index,
            judge: critic.id,
            stepsHash: stepsHash(sample.steps),
          };
          batch.push(line(target, plan.request, plan.n));
        }
      }
      if (batch.length === 0) continue;
      pendingProblems += 1;
      lines += batch.length;
      await parts.write(batch.map((request) => `${JSON.stringify(request)}\n`));
    }
  } catch (error) {
    await parts.abandon();
    throw error;
  }
  const requests = await parts.finish();
  return {
    requests,
    stage: job.stage,
    model,
    ...(critic ? { judge: critic.id } : {}),
    lines,
    pendingProblems,
    finished,
    problems: dataset.entries.length,
    excluded: dataset.excluded,
  };
}

/**
 * Writes request lines into as few files as the limits allow. Each part is written as `.partial`
 * and renamed only when the whole export succeeded, so a failed export leaves no file that looks
 * like a batch. One part keeps the path asked for; several are numbered beside it.
 */
class PartWriter {
  private readonly parts: { partial: string; handle: FileHandle; lines: number; bytes: number }[] = [];

  constructor(
    private readonly path: string,
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  /** One problem's lines: kept together unless they alone exceed a limit. */
  async write(lines: readonly string[]): Promise<void> {
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    let current = this.parts.at(-1);
    const fits = (part: { lines: number; bytes: number }, count: number, size: number) =>
      part.lines + count <= this.maxLines && part.bytes + size <= this.maxBytes;
    if (current && current.lines > 0 && !fits(current, lines.length, bytes)) current = undefined;
    for (const line of lines) {
      const size = Buffer.byteLength(line);
      if (size > this.maxBytes)
        throw new InputError(
          { file: this.path },
          `one request is ${size} bytes, more than a batch file may hold (${this.maxBytes})`,
        );
      if (!current || !fits(current, 1, size)) current = await this.open();
      await current.handle.write(line);
      current.lines += 1;
      current.bytes += size;
    }
  }

  private async open() {
    const partial = `${this.path}.${this.parts.length + 1}.partial`;
    const part = { partial, handle: await open(partial, 'w'), lines: 0, bytes: 0 };
    this.parts.push(part);
    return part;
  }

  async finish(): Promise<string[]> {
    if (this.parts.length === 0) await this.open();
    for (const part of this.parts) await part.handle.close();
    if (this.parts.length === 1) {
      await rename(this.parts[0]!.partial, this.path);
      return [this.path];
    }
    const extension = extname(this.path);
    const stem = join(dirname(this.path), basename(this.path, extension));
    const width = Math.max(3, String(this.parts.length).length);
    const names = this.parts.map(
      (_, index) => `${stem}.${String(index + 1).padStart(width, '0')}${extension}`,
    );
    for (const [index, part] of this.parts.entries()) await rename(part.partial, names[index]!);
    return names;
  }

  async abandon(): Promise<void> {
    for (const part of this.parts) {
      await part.handle.close().catch(() => {});
      await rm(part.partial, { force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Import

export interface BatchImportJob {
  files: readonly string[];
  loaded: LoadedConfig;
  out: string;
  /** Batch output files (vLLM run-batch output; OpenAI output and error files), in any order. */
  results: readonly string[];
  strict?: boolean;
}

export interface BatchImportOutcome {
  lines: number;
  /** Samples and judgements written to the journals (failed ones included). */
  samples: number;
  judgements: number;
  /** Lines that failed (status ≠ 200, an error, an unreadable body): recorded, asked again by the next export. */
  failed: number;
  /** Lines for something already there (journaled, in a finished run, or repeated in the output). */
  duplicates: number;
  /** Lines whose custom_id does not parse, or names no problem, sample or critic of this dataset. */
  unknown: number;
  /** Lines that are not JSON or not an output line at all. */
  unreadable: number;
  /** Up to 20 of the unknown and unreadable lines, each with why. */
  rejected: string[];
  problems: number;
  excluded: string[];
}

/** Where an output line is: its bytes are read again when its problem's turn comes. */
interface Located {
  file: number;
  offset: number;
  length: number;
}

interface Chosen {
  target: BatchTarget;
  at: Located;
  /** The kept line failed (a later answered line for the same custom_id replaces it). */
  failed: boolean;
}

interface Pending {
  target: BatchTarget;
  line: BatchOutputLine;
}

const MAX_REJECTED = 20;

/** The lines of a file with their byte offsets (LF or CRLF; blank lines skipped). */
async function* linesOf(
  path: string,
): AsyncGenerator<{ text: string; offset: number; length: number; number: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let base = 0;
  let number = 0;
  const emit = (buffer: Buffer, start: number, end: number) => {
    number += 1;
    const stop = end > start && buffer[end - 1] === 13 ? end - 1 : end;
    return { text: buffer.toString('utf8', start, stop), offset: base + start, length: stop - start, number };
  };
  for await (const chunk of createReadStream(path)) {
    const buffer: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
      const line = emit(buffer, start, newline);
      if (line.text.trim() !== '') yield line;
      start = newline + 1;
    }
    carry = buffer.subarray(start);
    base += start;
  }
  if (carry.length > 0) {
    const line = emit(carry, 0, carry.length);
    if (line.text.trim() !== '') yield line;
  }
}

/** An output line read again at its place (it was checked in the first pass). */
async function readLine(handles: readonly FileHandle[], at: Located): Promise<BatchOutputLine> {
  const buffer = Buffer.alloc(at.length);
  await handles[at.file]!.read(buffer, 0, at.length, at.offset);
  return BatchOutputLineSchema.parse(JSON.parse(buffer.toString('utf8')));
}

export async function importBatch(job: BatchImportJob): Promise<BatchImportOutcome> {
  const { config } = job.loaded;
  const dataset = await openDataset(job.files, job.loaded, job.out, job.strict === true);
  const critics = critiquePlanners(config, job.loaded.templates);
  const outcome: BatchImportOutcome = {
    lines: 0,
    samples: 0,
    judgements: 0,
    failed: 0,
    duplicates: 0,
    unknown: 0,
    unreadable: 0,
    rejected: [],
    problems: 0,
    excluded: dataset.excluded,
  };
  const reject = (kind: 'unknown' | 'unreadable', why: string) => {
    outcome[kind] += 1;
    if (outcome.rejected.length < MAX_REJECTED) outcome.rejected.push(why);
  };

  // Pass 1: every line checked, only its place kept; per problem and custom_id, a line that
  // answered wins over one that failed, whatever the order. Bodies are read again per problem, so
  // memory holds positions, not outputs.
  const byProblem = new Map<Entry, Map<string, Chosen>>();
  for (const [file, path] of job.results.entries()) {
    for await (const text of linesOf(path)) {
      outcome.lines += 1;
      const where = `${path}, line ${text.number}`;
      let value: unknown;
      try {
        value = JSON.parse(text.text);
      } catch {
        reject('unreadable', `${where}: not JSON`);
        continue;
      }
      const parsed = BatchOutputLineSchema.safeParse(value);
      if (!parsed.success) {
        reject('unreadable', `${where}: not a batch output line (custom_id, response, error)`);
        continue;
      }
      const line = parsed.data;
      const target = parseCustomId(line.custom_id);
      const shown = JSON.stringify(line.custom_id.slice(0, 200));
      if (!target) {
        reject('unknown', `${where}: custom_id ${shown} is not one steplens batch export writes`);
        continue;
      }
      const entry = dataset.byName.get(target.problem);
      if (!entry) {
        reject('unknown', `${where}: custom_id ${shown} names no problem of these files`);
        continue;
      }
      if (target.sample >= config.policy.n) {
        reject(
          'unknown',
          `${where}: custom_id ${shown} names sample ${target.sample}; policy.n is ${config.policy.n}`,
        );
        continue;
      }
      if (target.stage === 'critique' && !critics.has(target.judge)) {
        reject(
          'unknown',
          `${where}: custom_id ${shown} names judge "${target.judge}", no critic of this config`,
        );
        continue;
      }
      const chosen: Chosen = {
        target,
        at: { file, offset: text.offset, length: text.length },
        failed: lineFailure(line) !== undefined,
      };
      const lines = byProblem.get(entry) ?? new Map<string, Chosen>();
      byProblem.set(entry, lines);
      const kept = lines.get(line.custom_id);
      if (kept === undefined) lines.set(line.custom_id, chosen);
      else {
        outcome.duplicates += 1;
        if (kept.failed && !chosen.failed) lines.set(line.custom_id, chosen);
      }
    }
  }

  // Pass 2, one problem at a time: its journal replayed, its lines read again and applied.
  const handles: FileHandle[] = [];
  try {
    for (const path of job.results) handles.push(await open(path, 'r'));
    for (const [entry, chosen] of byProblem) {
      outcome.problems += 1;
      if (await finishedRun(entry)) {
        outcome.duplicates += chosen.size;
        continue;
      }
      const lines: Pending[] = [];
      for (const { target, at } of chosen.values()) lines.push({ target, line: await readLine(handles, at) });
      await applyLines(entry, lines);
    }
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
  return outcome;

  async function applyLines(entry: Entry, pending: readonly Pending[]): Promise<void> {
    const replayed = await readJournal(entry.journalPath);
    const samples = new Map(replayed.samples.map((sample) => [sample.index, sample]));
    const appended: JournalLine[] = [];
    const journal = { append: (line: JournalLine) => appended.push(line) };
    // Samples first: a critique in the same output judges a sample journaled before it.
    for (const { target, line } of pending) {
      if (target.stage !== 'sample') continue;
      const existing = samples.get(target.sample);
      const failure = lineFailure(line);
      const already = stands(existing);
      if (already || (existing?.error !== undefined && failure !== undefined)) {
        // Already there, or a failure on top of one: nothing new to write.
        outcome.duplicates += 1;
        if (!already) outcome.failed += 1;
        continue;
      }
      const sample = sampleOf(target.sample, line, entry, config);
      if (sample.error) outcome.failed += 1;
      journal.append({ type: 'sample', sample });
      samples.set(sample.index, sample);
      outcome.samples += 1;
    }
    for (const { target, line } of pending) {
      if (target.stage !== 'critique') continue;
      const sample = samples.get(target.sample);
      if (!sample || !stands(sample) || stepsHash(sample.steps) !== target.stepsHash) {
        reject(
          'unknown',
          `custom_id ${JSON.stringify(line.custom_id)}: no such sample in the journal (not sampled, failed, or sampled again since the export)`,
        );
        continue;
      }
      const existing = sample.judgements[target.judge];
      const failure = lineFailure(line);
      if (existing && (!existing.error || failure !== undefined)) {
        outcome.duplicates += 1;
        if (existing.error) outcome.failed += 1;
        continue;
      }
      const plan = critics.get(target.judge)!.plan;
      const judgement = judgementOf(line, plan, entry, sample, config);
      if (judgement.error) outcome.failed += 1;
      journal.append({ type: 'judgement', sample: sample.index, judge: target.judge, judgement });
      sample.judgements[target.judge] = judgement;
      outcome.judgements += 1;
    }
    if (appended.length === 0) return;
    const writer = await JournalWriter.open(entry.journalPath);
    for (const line of appended) writer.append(line);
    await writer.close();
  }
}

/** A sample from its output line, as the online path builds it from a streamed choice. */
function sampleOf(index: number, line: BatchOutputLine, entry: Entry, config: RunConfig): Sample {
  const failure = lineFailure(line);
  if (failure !== undefined) return failedSample(index, failure);
  const completion = parseCompletion(line.response?.body);
  if (typeof completion === 'string')
    return failedSample(index, `batch line ${line.custom_id}: ${completion}`);
  const choice = completion.choices[0];
  if (!choice) return failedSample(index, `batch line ${line.custom_id}: the response has no choice`);
  return finishedSample(
    index,
    { ...choice, ...(completion.usage ? { usage: completion.usage } : {}) },
    entry.problem,
    config,
  );
}

/** A critic's judgement from its output line, as the online judge reads the same response. */
function judgementOf(
  line: BatchOutputLine,
  plan: CritiquePlanner,
  entry: Entry,
  sample: Sample,
  config: RunConfig,
) {
  const steps = sample.steps.length;
  const failure = lineFailure(line);
  if (failure !== undefined) return recordedJudgement(failedJudgement(failure, steps), config);
  const completion = parseCompletion(line.response?.body);
  if (typeof completion === 'string')
    return recordedJudgement(failedJudgement(`batch line ${line.custom_id}: ${completion}`, steps), config);
  const asked = plan(entry.problem.text, sample.steps);
  if (completion.choices.length < asked.n)
    return recordedJudgement(
      failedJudgement(
        `batch line ${line.custom_id}: ${completion.choices.length} of the ${asked.n} critiques asked (the engine ignored n); judge these samples online with steplens evaluate`,
        steps,
      ),
      config,
    );
  return recordedJudgement(
    {
      ...asked.read(completion.choices.slice(0, asked.n)),
      ...(completion.usage ? { usage: completion.usage } : {}),
    },
    config,
  );
}
