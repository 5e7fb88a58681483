/**
 * `steplens`: the StepLens pipeline without VS Code, for batches, CI and scripts.
 * Exit codes: 0 done, 1 the work failed, 2 bad usage or bad input (one line on stderr, no stack).
 */

import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { interruptible, runAnalyze, runRescore } from './cli/analyze.js';
import { runAnswer, runEquiv, runImport, runMetrics, runSplit, type Streams } from './cli/batch.js';
import { runBatchFiles } from './cli/batchFiles.js';
import { runEvaluate } from './cli/evaluate.js';
import { UsageError } from './cli/io.js';
import { runCompare } from './cli/report.js';
import { runView } from './cli/view.js';
import { InputError } from './core/errors.js';
import { contradictionsNotice, exportedRowsNotice } from './core/export.js';
import { isStepStrategy, STEP_STRATEGIES } from './core/steps.js';
import { loadLabeledRuns, skippedAuditLines, writeExport } from './io/exportFiles.js';
import { readDatasetIndex, writeDatasetReport } from './jobs/dataset.js';
import { errorText, redact } from './llm/credentials.js';
import { installSymbolicEquivalence } from './symbolic/client.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

type CliStreams = Streams & { stderr: NodeJS.WritableStream };

interface Command {
  summary: string;
  usage: string;
  details: string;
  options: Options;
  /** How many positional arguments; 'some' = one or more. */
  positionals: number | 'some';
  /** Resolves to the exit code, or to nothing for 0. */
  run(parsed: Parsed, streams: CliStreams): Promise<number | undefined> | Promise<void> | void;
}

const str = (value: string | boolean | string[] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** A numeric option, checked: absent is undefined, a bad value a usage error naming it. */
function numberOption(
  parsed: Parsed,
  name: string,
  valid: (value: number, text: string) => boolean,
  what: string,
): number | undefined {
  const text = str(parsed.values[name]);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!valid(value, text)) throw new UsageError(`--${name} must be ${what}, not "${text}"`);
  return value;
}

function requireOption(parsed: Parsed, name: string, usage: string): string {
  const value = str(parsed.values[name]);
  if (value === undefined) throw new UsageError(`--${name} is required; usage: ${usage}`);
  return value;
}

const COMMANDS: Record<string, Command> = {
  split: {
    summary: 'split solutions into steps',
    usage: 'steplens split [--strategy paragraph|lines|markers|auto] < in.jsonl > out.jsonl',
    details:
      'Reads {"id", "text"} lines; writes {"id", "steps": [...]} lines in the same order.\n' +
      'A reasoning trace (<think>…</think>) is set apart and not split.\n' +
      `Strategies: ${STEP_STRATEGIES.join(', ')} (default paragraph: blank-line separated).`,
    options: { strategy: { type: 'string', default: 'paragraph' } },
    positionals: 0,
    run: ({ values }, streams) => {
      const strategy = String(values.strategy);
      if (!isStepStrategy(strategy)) {
        throw new UsageError(`unknown --strategy "${strategy}"; use one of ${STEP_STRATEGIES.join(', ')}`);
      }
      return runSplit(streams, strategy);
    },
  },
  answer: {
    summary: 'extract final answers (and check them against a reference)',
    usage: 'steplens answer < in.jsonl > out.jsonl',
    details:
      'Reads {"id", "text", "reference"?} lines; writes {"id", "answer": string|null, "correct"?} lines.\n' +
      'Looks for the last \\boxed{…}, then "#### n", then "the answer is …", then (when the reference is a\n' +
      'number or absent) the last number. "correct" is present only when a reference is given.',
    options: {},
    positionals: 0,
    run: (_parsed, streams) => runAnswer(streams),
  },
  equiv: {
    summary: 'are two answers equivalent?',
    usage: 'steplens equiv A B',
    details:
      'Prints true or false: MATH-style normalisation, numbers compared by value, tuples, sets and\n' +
      'matrices element by element, then a symbolic check (2\\sqrt2 = \\sqrt8, 2x+2 = 2(x+1)).',
    options: {},
    positionals: 2,
    run: ({ positionals }, streams) => runEquiv(streams, positionals[0]!, positionals[1]!),
  },
  import: {
    summary: 'read a problem file into normalised problems',
    usage: 'steplens import FILE',
    details:
      'FILE is .md/.txt (one problem; an "Answer:" line or front matter gives the reference) or .json/.jsonl\n' +
      'rows in the ProcessBench, PRM800K, MATH/AIME or GSM8K shapes. Writes one problem per line.',
    options: {},
    positionals: 1,
    run: ({ positionals }, streams) => runImport(streams, positionals[0]!),
  },
  analyze: {
    summary: 'sample N solutions, judge every step by Self-PRM and the PRMs, write a run',
    usage:
      'steplens analyze FILE [--row ID] --config steplens.json [--out run.json] [--existing-steps] [--quiet]',
    details:
      'FILE is any problem file (see import); --row picks a row by id or 1-based row number.\n' +
      '--config names the endpoints and judges (schemas/config.schema.json); keys come only from the\n' +
      "environment variables it names (apiKeyEnv). --existing-steps judges the row's own steps\n" +
      '(ProcessBench, PRM800K) instead of sampling. The run is written to --out, or under .steplens/runs/.\n' +
      'Prints {"run", "samples", "failedSamples", "judges", "status"}. Ctrl-C writes the partial run,\n' +
      'marked cancelled (exit 130), unfinished samples with the text streamed so far (marked cancelled,\n' +
      'never judged or voted); exit 1 when every sample failed.',
    options: {
      config: { type: 'string' },
      row: { type: 'string' },
      out: { type: 'string' },
      'existing-steps': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    positionals: 1,
    run: (parsed, streams) =>
      runAnalyze(
        {
          file: parsed.positionals[0]!,
          config: requireOption(parsed, 'config', COMMANDS.analyze!.usage),
          ...(str(parsed.values.row) !== undefined ? { row: str(parsed.values.row)! } : {}),
          ...(str(parsed.values.out) !== undefined ? { out: str(parsed.values.out)! } : {}),
          existingSteps: parsed.values['existing-steps'] === true,
          quiet: parsed.values.quiet === true,
        },
        streams,
      ),
  },
  evaluate: {
    summary:
      'a dataset: k judged samples per problem, or step-labelled rows (ProcessBench, PRM800K) judged as they are',
    usage:
      'steplens evaluate FILE… --config steplens.json --out DIR [--plan] [--max-requests N] [--max-cost USD] [--retry-failed] [--strict] [--tau-subset gsm8k] [--concurrency N] [--quiet]',
    details:
      'The rows decide. Problems without steps (MATH, AIME, GSM8K, …): policy.n samples per problem, each\n' +
      'judged by Self-PRM and every PRM and checked against the reference; one run file per problem under\n' +
      'DIR/runs/ and the index DIR/dataset.json. Killed at any moment (SIGKILL too) and rerun, it continues\n' +
      'from what finished; --retry-failed requests failed samples and judgements again; a malformed row\n' +
      'is skipped and counted unless --strict. --plan prints what is left, its requests, tokens and cost\n' +
      '(prices: "price" on the policy and PRMs) and sends nothing; --max-requests / --max-cost stop\n' +
      'resumably when reached (exit 3). Prints {"out","dataset","problems","finished","reused","samples",\n' +
      '"failedSamples","excluded","complete","stopped"?,"requests","tokens","cost","seconds"}.\n' +
      "Step-labelled rows: scores every row's own steps by Self-PRM and each PRM of --config, and writes\n" +
      'DIR/report.json and DIR/report.md (ProcessBench F1 per judge and subset,\n' +
      'the average, and per PRM the τ that maximises F1 on --tau-subset), DIR/results.jsonl (one line per\n' +
      "row: each judge's prediction) and one run file per row under DIR/runs/ (opens in the panel).\n" +
      'A row\'s subset is the file\'s name stem (gsm8k.json …), else its id before the last "-".\n' +
      'Both: rerunning the same command reuses everything finished; Ctrl-C stops (exit 130) and the next\n' +
      'run continues. Other judges, models, prompts or sampling for the same DIR are refused.',
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      'tau-subset': { type: 'string', default: 'gsm8k' },
      concurrency: { type: 'string' },
      'retry-failed': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      plan: { type: 'boolean', default: false },
      'max-requests': { type: 'string' },
      'max-cost': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    positionals: 'some',
    run: async (parsed, streams) => {
      const usage = COMMANDS.evaluate!.usage;
      const concurrency = numberOption(
        parsed,
        'concurrency',
        (_, text) => /^[1-9]\d{0,3}$/.test(text),
        'a whole number from 1 to 9999',
      );
      const maxRequests = numberOption(
        parsed,
        'max-requests',
        (_, text) => /^[1-9]\d{0,9}$/.test(text),
        'a whole number of at least 1',
      );
      const maxCost = numberOption(
        parsed,
        'max-cost',
        (value, text) => /^\d+(\.\d+)?$/.test(text) && value > 0,
        'a positive number of dollars',
      );
      const { signal, dispose } = interruptible();
      try {
        return await runEvaluate(
          {
            files: parsed.positionals,
            config: requireOption(parsed, 'config', usage),
            out: requireOption(parsed, 'out', usage),
            tauSubset: str(parsed.values['tau-subset']) ?? 'gsm8k',
            ...(concurrency !== undefined ? { concurrency } : {}),
            quiet: parsed.values.quiet === true,
            retryFailed: parsed.values['retry-failed'] === true,
            strict: parsed.values.strict === true,
            plan: parsed.values.plan === true,
            ...(maxRequests !== undefined ? { maxRequests } : {}),
            ...(maxCost !== undefined ? { maxCost } : {}),
          },
          streams,
          signal,
        );
      } finally {
        dispose();
      }
    },
  },
  report: {
    summary: 'the dataset report of a dataset folder (report.json, .md, .html), or several folders compared',
    usage:
      'steplens report DIR [--name NAME] [--subsets R] [--seed S] [--difficulty D] | steplens report DIR DIR… --out OUT [--subsets R] [--seed S] [--difficulty D]',
    details:
      'Rebuilds DIR/report.json, DIR/report.md and DIR/report.html from DIR/dataset.json (written by evaluate\n' +
      'at the end of every dataset run): reranking accuracy against k over R random subsets per problem\n' +
      '(default 100, seed 0), each judge\'s precision of "correct" on problems with pass@1 ≤ D (default 0.25),\n' +
      'solution-score calibration and agreement between judges. report.html is one offline page with the\n' +
      "plots; --name (default the folder's name) titles it, and a name holding AIME24, AIME25 or CNMO24 draws\n" +
      'the Self-PRM paper\'s Table 4 beside the curves. Prints {"report","markdown","html"}.\n' +
      'With several folders and --out OUT: OUT/report.html compares them (curves per method, one line per\n' +
      'folder; accuracy at k_max on the problems they share and the differences; the problems they disagree\n' +
      'on most) and OUT/compare.json holds the figures; the folders are not written. Prints {"html","json","shared"}.',
    options: {
      subsets: { type: 'string' },
      seed: { type: 'string' },
      difficulty: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
    },
    positionals: 'some',
    run: async (parsed, streams) => {
      // Number('') is 0: an empty value is no number.
      const filled = (text: string) => text.trim() !== '';
      const subsets = numberOption(
        parsed,
        'subsets',
        (v, text) => filled(text) && Number.isInteger(v) && v >= 1 && v <= 100_000,
        'a whole number from 1 to 100000',
      );
      const seed = numberOption(
        parsed,
        'seed',
        (v, text) => filled(text) && Number.isInteger(v) && v >= 0 && v < 2 ** 32,
        'a whole number from 0 to 2^32 − 1',
      );
      const difficulty = numberOption(
        parsed,
        'difficulty',
        (v, text) => filled(text) && v >= 0 && v <= 1,
        'a share from 0 to 1',
      );
      const options = {
        ...(subsets !== undefined ? { subsets } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(difficulty !== undefined ? { difficulty } : {}),
      };
      const dirs = parsed.positionals;
      const out = str(parsed.values.out);
      const name = str(parsed.values.name);
      if (dirs.length > 1 || out !== undefined) {
        if (dirs.length < 2 || out === undefined)
          throw new UsageError(
            'compare takes two or more DIRs and --out OUT; usage: steplens report DIR DIR… --out OUT',
          );
        if (name !== undefined)
          throw new UsageError('--name is for one DIR; compare labels folders by their names');
        const result = await runCompare(dirs, out, options);
        streams.stdout.write(
          `${JSON.stringify({ html: resolve(result.html), json: resolve(result.json), shared: result.shared })}\n`,
        );
        return;
      }
      const dir = dirs[0]!;
      const [report, markdown, html] = await writeDatasetReport(dir, await readDatasetIndex(dir), {
        ...options,
        ...(name !== undefined ? { name } : {}),
      });
      streams.stdout.write(
        `${JSON.stringify({ report: resolve(report!), markdown: resolve(markdown!), html: resolve(html!) })}\n`,
      );
    },
  },
  batch: {
    summary: 'a dataset run through a batch engine: export pending chat requests, import their output',
    usage:
      'steplens batch export|import FILE… --config steplens.json --out DIR (export: --stage sample|critique [--judge ID] --requests IN.jsonl [--max-lines N] [--max-bytes N]; import: --results OUT.jsonl [--results …]) [--strict] [--quiet]',
    details:
      'The same FILE…, --config and DIR as `steplens evaluate` (another policy, sampling or judges for DIR are\n' +
      'refused). export writes what DIR still lacks as OpenAI Batch JSONL ({"custom_id","method","url","body"}),\n' +
      'for vLLM run-batch or the OpenAI Batch API: --stage sample, one line per missing or failed sample\n' +
      '(n = 1); --stage critique, one line per journaled sample lacking a judgement of the critic --judge\n' +
      '(default self; one model per file), n = its critiques. import reads the output lines into DIR in any\n' +
      'order: a line repeated or for something already there is counted as a duplicate, a failed one is\n' +
      'recorded (the next export asks for it again), a custom_id that names nothing of DIR is reported.\n' +
      'Then `steplens evaluate` with the same arguments scores the PRMs online and writes the runs and\n' +
      'DIR/dataset.json. Prints one JSON line of counts.\n' +
      'An export larger than the OpenAI Batch API takes per file (--max-lines 50000, --max-bytes 200000000)\n' +
      'is split into numbered files beside --requests (IN.001.jsonl, …), a problem never split across two.',
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      'max-lines': { type: 'string' },
      'max-bytes': { type: 'string' },
      stage: { type: 'string' },
      judge: { type: 'string' },
      requests: { type: 'string' },
      results: { type: 'string', multiple: true },
      strict: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    positionals: 'some',
    run: (parsed, streams) => {
      const usage = COMMANDS.batch!.usage;
      const [action = '', ...files] = parsed.positionals;
      const results = parsed.values.results;
      const positive = (value: number) => Number.isSafeInteger(value) && value > 0;
      const maxLines = numberOption(parsed, 'max-lines', positive, 'a positive whole number');
      const maxBytes = numberOption(parsed, 'max-bytes', positive, 'a positive whole number of bytes');
      return runBatchFiles(
        {
          action,
          files,
          config: requireOption(parsed, 'config', usage),
          out: requireOption(parsed, 'out', usage),
          ...(str(parsed.values.stage) !== undefined ? { stage: str(parsed.values.stage)! } : {}),
          ...(str(parsed.values.judge) !== undefined ? { judge: str(parsed.values.judge)! } : {}),
          ...(str(parsed.values.requests) !== undefined ? { requests: str(parsed.values.requests)! } : {}),
          results: Array.isArray(results) ? results : [],
          ...(maxLines !== undefined ? { maxLines } : {}),
          ...(maxBytes !== undefined ? { maxBytes } : {}),
          strict: parsed.values.strict === true,
          quiet: parsed.values.quiet === true,
        },
        streams,
        usage,
      );
    },
  },
  rescore: {
    summary: 'add or replace judges on a run without resampling',
    usage: 'steplens rescore RUN --config steplens.json [--out run.json] [--quiet]',
    details:
      'Runs the judges of --config over the samples of RUN, replacing judgements of the same id and\n' +
      'keeping the others; recomputes solution scores and reranker picks. Writes to --out, or over RUN.',
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    positionals: 1,
    run: (parsed, streams) =>
      runRescore(
        {
          run: parsed.positionals[0]!,
          config: requireOption(parsed, 'config', COMMANDS.rescore!.usage),
          ...(str(parsed.values.out) !== undefined ? { out: str(parsed.values.out)! } : {}),
          quiet: parsed.values.quiet === true,
        },
        streams,
      ),
  },
  view: {
    summary: 'write a run as one self-contained HTML page (read-only panel)',
    usage: 'steplens view RUN --html OUT.html [--audits LOG.jsonl] [--annotator NAME]',
    details:
      'The same panel as in VS Code, with the run and its labels embedded, for someone without VS Code.\n' +
      'Labels come from the audit log beside the run (.steplens/audits/<run id>.jsonl) or --audits.\n' +
      "The page shows one annotator's labels: --annotator, else the one who labelled most (the others are named).",
    options: { html: { type: 'string' }, audits: { type: 'string' }, annotator: { type: 'string' } },
    positionals: 1,
    run: async (parsed, streams) => {
      const html = requireOption(parsed, 'html', COMMANDS.view!.usage);
      const audits = str(parsed.values.audits);
      const annotator = str(parsed.values.annotator);
      const { skippedLines, ...result } = await runView({
        run: parsed.positionals[0]!,
        html,
        ...(audits ? { audits } : {}),
        ...(annotator ? { annotator } : {}),
      });
      warnSkipped(streams.stderr, 'view', skippedLines);
      if (result.firstFrameNotDrawn !== undefined)
        streams.stderr.write(
          `steplens view: the page's first frame was not drawn in advance (${result.firstFrameNotDrawn}); it draws it as it opens\n`,
        );
      const others = result.annotators.filter((name) => name !== result.annotator);
      if (others.length > 0)
        streams.stderr.write(
          `steplens view: showing the labels of ${result.annotator}; also labelled: ${others.join(', ')} (choose with --annotator)\n`,
        );
      streams.stdout.write(`${JSON.stringify({ html: resolve(html), ...result })}\n`);
    },
  },
  export: {
    summary: 'export labeled audits: ProcessBench and PRM800K JSONL, CSV, agreement report',
    usage: 'steplens export RUN... --out DIR [--audits DIR]',
    details:
      'Reads each run and its audit log (beside it, or in --audits DIR) and writes processbench.jsonl,\n' +
      'prm800k.jsonl, steps.csv, report.json and report.md to DIR.',
    options: { out: { type: 'string' }, audits: { type: 'string' } },
    positionals: 'some',
    run: async (parsed, streams) => {
      const out = requireOption(parsed, 'out', COMMANDS.export!.usage);
      const runs = await loadLabeledRuns(parsed.positionals, str(parsed.values.audits));
      const skipped = skippedAuditLines(runs);
      warnSkipped(streams.stderr, 'export', skipped);
      const written = await writeExport(runs, out);
      if (written.contradictorySamples > 0)
        streams.stderr.write(
          `steplens export: warning: ${contradictionsNotice(written.contradictorySamples)}\n`,
        );
      streams.stderr.write(`steplens export: ${exportedRowsNotice(written.exported)}\n`);
      streams.stdout.write(`${JSON.stringify({ ...written, skippedAuditLines: skipped.length })}\n`);
    },
  },
  metrics: {
    summary: 'ProcessBench F1 of first-error predictions',
    usage: 'steplens metrics < pairs.jsonl',
    details:
      'Reads {"label": int, "prediction": int} lines (earliest wrong step, -1 for none); writes one line\n' +
      '{"acc_erroneous", "acc_correct", "f1", "n"}; a ratio over no samples is null.',
    options: {},
    positionals: 0,
    run: (_parsed, streams) => runMetrics(streams),
  },
};

/** Audit lines that were not read are never dropped without a word: one stderr line each. */
function warnSkipped(stderr: NodeJS.WritableStream, command: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  for (const line of lines) stderr.write(`steplens ${command}: warning: skipped ${line}\n`);
  stderr.write(
    `steplens ${command}: warning: ${lines.length} audit line(s) could not be read; their labels are missing\n`,
  );
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return [
    'steplens: inspect mathematical reasoning step by step',
    '',
    'Usage: steplens <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "steplens <command> --help" for a command\'s options.',
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  return `steplens ${name}: ${command.summary}\n\nUsage: ${command.usage}\n\n${command.details}`;
}

function parseCommandLine(command: Command, args: string[]): Parsed | 'help' {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  if (parsed.values.help) return 'help';
  const count = parsed.positionals.length;
  if (command.positionals === 'some' ? count === 0 : count !== command.positionals) {
    const expected = command.positionals === 'some' ? 'at least 1' : command.positionals;
    throw new UsageError(`expected ${expected} argument(s); usage: ${command.usage}`);
  }
  return parsed;
}

export async function main(
  argv: string[],
  streams: Streams & { stderr: NodeJS.WritableStream },
): Promise<number> {
  const [name, ...rest] = argv;
  // Costs nothing until a command compares two answers the normaliser cannot decide.
  installSymbolicEquivalence();
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      streams.stdout.write(`${mainHelp()}\n`);
      return name === undefined ? 2 : 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; run "steplens --help"`);
    const parsed = parseCommandLine(command, rest);
    if (parsed === 'help') {
      streams.stdout.write(`${commandHelp(name, command)}\n`);
      return 0;
    }
    return (await command.run(parsed, streams)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      streams.stderr.write(`steplens${name ? ` ${name}` : ''}: ${error.message}\n`);
      return 2;
    }
    streams.stderr.write(`steplens${name ? ` ${name}` : ''}: failed: ${errorText(error)}\n`);
    if (process.env.STEPLENS_DEBUG && error instanceof Error)
      streams.stderr.write(`${redact(error.stack ?? '')}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A closed pipe (`steplens import big.jsonl | head`) is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
