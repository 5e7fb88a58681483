/**
 * `steplens batch export|import FILE… --config CFG --out DIR`: a dataset run's chat requests as
 * batch files (src/jobs/batchFiles.ts), with the same problems, config and folder as `evaluate`.
 */
import { BATCH_STAGES, type BatchStage } from '../core/batch.js';
import { loadConfig } from '../io/configFile.js';
import { exportBatch, importBatch } from '../jobs/batchFiles.js';
import { rowsKind } from '../jobs/dataset.js';
import { UsageError } from './io.js';

type Streams = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

export interface BatchArgs {
  action: string;
  files: string[];
  config: string;
  out: string;
  stage?: string;
  judge?: string;
  requests?: string;
  results: string[];
  maxLines?: number;
  maxBytes?: number;
  strict: boolean;
  quiet: boolean;
}

const isStage = (stage: string): stage is BatchStage => (BATCH_STAGES as readonly string[]).includes(stage);

export async function runBatchFiles(args: BatchArgs, streams: Streams, usage: string): Promise<number> {
  if (args.action !== 'export' && args.action !== 'import')
    throw new UsageError(`unknown batch action "${args.action}"; use export or import; usage: ${usage}`);
  if (args.files.length === 0) throw new UsageError(`expected the problem files; usage: ${usage}`);
  const loaded = await loadConfig(args.config);
  if ((await rowsKind(args.files)) !== 'problems')
    throw new UsageError(
      'batch files are for dataset runs (problems without steps); step-labelled rows are judged online by steplens evaluate',
    );
  const warn = (text: string) => {
    if (!args.quiet) streams.stderr.write(`steplens batch ${args.action}: ${text}\n`);
  };
  if (args.action === 'export') {
    const stage = args.stage;
    if (stage === undefined || !isStage(stage))
      throw new UsageError(`--stage must be one of ${BATCH_STAGES.join(', ')}; usage: ${usage}`);
    if (args.requests === undefined) throw new UsageError(`--requests is required; usage: ${usage}`);
    if (args.judge !== undefined && stage !== 'critique')
      throw new UsageError('--judge names the critic of the critique stage');
    const outcome = await exportBatch({
      files: args.files,
      loaded,
      out: args.out,
      stage,
      ...(args.judge !== undefined ? { judge: args.judge } : {}),
      requests: args.requests,
      ...(args.maxLines !== undefined ? { maxLines: args.maxLines } : {}),
      ...(args.maxBytes !== undefined ? { maxBytes: args.maxBytes } : {}),
      strict: args.strict,
    });
    for (const line of outcome.excluded) warn(`excluded: ${line}`);
    const { excluded, ...summary } = outcome;
    streams.stdout.write(`${JSON.stringify({ ...summary, excluded: excluded.length })}\n`);
    return 0;
  }
  if (args.results.length === 0) throw new UsageError(`--results is required; usage: ${usage}`);
  const outcome = await importBatch({
    files: args.files,
    loaded,
    out: args.out,
    results: args.results,
    strict: args.strict,
  });
  for (const line of outcome.rejected) warn(`skipped ${line}`);
  const { rejected: _r, excluded, ...summary } = outcome;
  streams.stdout.write(`${JSON.stringify({ ...summary, excluded: excluded.length })}\n`);
  return 0;
}
