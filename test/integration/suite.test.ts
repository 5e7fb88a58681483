/**
 * Inside the extension host: StepLens activated in a real VS Code, its commands run against the
 * stub endpoints the runner started (URLs in the user settings it wrote).
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { stampEvent } from '../../src/core/audit.js';
import { type DatasetIndex, datasetProblem, datasetUsage } from '../../src/core/dataset.js';
import { judgeThreshold } from '../../src/core/judgements.js';
import { firstDisagreement, prmIds } from '../../src/core/reportProblems.js';
import type { Run } from '../../src/core/schemas.js';
import type { StepLensApi } from '../../src/extension.js';
import type { EvaluateDatasetResult } from '../../src/host/datasetCommand.js';
import type { DatasetNode } from '../../src/host/datasetsView.js';
import type { EvaluateJudgesResult } from '../../src/host/evaluate.js';
import { QUEUE_PANEL_TYPE, REPORT_PANEL_TYPE } from '../../src/host/ids.js';
import { readRunConfig } from '../../src/host/settings.js';
import { writeRun } from '../../src/io/runFiles.js';
import { writeDatasetReport } from '../../src/jobs/dataset.js';
import { createNonce } from '../../src/webviewHtml.js';

const EXTENSION_ID = 'steplens.steplens';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens a workspace folder');
  return folder.uri.fsPath;
}

async function api(): Promise<StepLensApi> {
  const extension = vscode.extensions.getExtension<StepLensApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const TIMING_RUNS = 5;

/** `run` grown to the paper's scale: 64 samples × 300 steps, math in every step, a reasoning trace. */
function largeRun(run: Run): Run {
  const samples = Array.from({ length: 64 }, (_, index) => {
    const base = run.samples[index % run.samples.length]!;
    const steps = Array.from(
      { length: 300 },
      (_, step) => `Step ${step} of sample ${index}: so $x_{${step}} = ${step}^2 - ${step}$, which we check.`,
    );
    const judgements = Object.fromEntries(
      Object.entries(base.judgements).map(([judge, judgement]) => [
        judge,
        { ...judgement, stepScores: steps.map((_, step) => ((step * 7 + index) % 10) / 10), firstError: -1 },
      ]),
    );
    return {
      ...base,
      index,
      steps,
      text: steps.join('\n\n'),
      reasoning: 'Thinking. '.repeat(500),
      judgements,
    };
  });
  return { ...run, id: 'timing-64x300', samples };
}

/** A webview that parses the run posted to it, writes one line, and says so after the next frame. */
function parseOnlyWebview(): string {
  const nonce = createNonce();
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'">
</head><body><script nonce="${nonce}">
const vscode = acquireVsCodeApi();
window.addEventListener('message', (event) => {
  const p = document.createElement('p');
  p.textContent = 'parsed ' + event.data.run.samples.length + ' samples';
  document.body.append(p);
  requestAnimationFrame(() => setTimeout(() => vscode.postMessage({ type: 'painted' }), 0));
});
vscode.postMessage({ type: 'ready' });
</script></body></html>`;
}

describe('StepLens in VS Code', () => {
  let run: Run;
  let runPath: string;

  it('activates and hands out its API', async () => {
    const steplens = await api();
    assert.ok(steplens.hub);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });

  it('registers every command of its manifest', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
    assert.ok(manifest.contributes.commands.length >= 9);
  });

  it('Analyze Problem on a problem file writes a run with self and PRM scores', async () => {
    const uri = vscode.Uri.file(join(workspaceRoot(), 'hypotenuse.md'));
    const result = await vscode.commands.executeCommand<Run | undefined>('steplens.analyzeProblem', uri);
    assert.ok(result, `the command returned a run; notices: ${(await api()).notices.join(' | ')}`);
    run = result;
    runPath = join(workspaceRoot(), '.steplens', 'runs', `${run.id}.json`);
    assert.ok(existsSync(runPath), `${runPath} exists`);
    const saved = JSON.parse(readFileSync(runPath, 'utf8')) as Run;
    assert.equal(saved.status, 'complete');
    assert.equal(saved.samples.length, 4);
    assert.equal(saved.problem.reference, '5');
    assert.deepEqual(
      saved.judges.map((judge) => judge.id),
      ['self', 'qwen-prm'],
    );
    const beta = saved.samples.find((sample) => sample.steps[0]?.startsWith('beta'))!;
    assert.deepEqual(beta.judgements.self?.stepScores, [1, 0.25, 0.25]);
    assert.deepEqual(beta.judgements['qwen-prm']?.stepScores, [0.98, 0.9, 0.1]);
  });

  it('the panel opens and shows the run', async () => {
    const steplens = await api();
    await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    assert.equal(steplens.hub.current?.run.id, run.id);
  });

  it('opening a 64 × 300 run paints its first steps (timed against posting it to an empty webview)', async () => {
    const steplens = await api();
    await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    const big = largeRun(run);
    const bigPath = join(workspaceRoot(), '.steplens', 'runs', `${big.id}.json`);
    await writeRun(bigPath, big);
    const message = { type: 'run/show', run: big, events: [], readOnly: false };
    // The reference: a webview that only parses the run it is posted and writes one line. In
    // code-server a new webview's frame now and then waits on its service worker ("Found unexpected
    // service worker controller … Waiting for controllerchange") and never loads: that one is
    // closed and another made (at most three), so the timing is taken on a webview that loads.
    const received: { type: string; at: number }[] = [];
    let empty: vscode.WebviewPanel | undefined;
    for (let attempt = 1; !empty; attempt++) {
      const made = vscode.window.createWebviewPanel('steplens.timing', 'timing', vscode.ViewColumn.Beside, {
        enableScripts: true,
      });
      made.webview.onDidReceiveMessage((m: { type: string }) =>
        received.push({ type: m.type, at: Date.now() }),
      );
      made.webview.html = parseOnlyWebview();
      try {
        await until('the empty webview ready', () => received.some((m) => m.type === 'ready'));
        empty = made;
      } catch (error) {
        made.dispose();
        if (attempt === 3) throw error;
      }
    }
    const reference: number[] = [];
    for (let i = 0; i < TIMING_RUNS; i++) {
      received.length = 0;
      const started = Date.now();
      await empty.webview.postMessage(message);
      const painted = await until('the empty webview painted', () =>
        received.find((m) => m.type === 'painted'),
      );
      reference.push(painted.at - started);
    }
    empty.dispose();
    const opened: number[] = [];
    for (let i = 0; i < TIMING_RUNS; i++) {
      steplens.hub.painted.delete(big.id);
      const started = Date.now();
      await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(bigPath));
      const painted = await until('the panel painted the run', () => steplens.hub.painted.get(big.id));
      opened.push(painted - started);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const timing = {
      run: '64×300',
      commandToFirstStepMs: opened,
      postToEmptyWebviewMs: reference,
      ratio: median(opened) / median(reference),
    };
    const path = process.env.STEPLENS_IT_RESULTS;
    if (path) writeFileSync(`${path}.timing.json`, JSON.stringify(timing));
    assert.equal(steplens.hub.current?.run.id, big.id);
    // Back to the first run for the tests that follow.
    await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
  });

  it('a live analysis sends the panel deltas, not the whole run on every update', async () => {
    const steplens = await api();
    await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    const before = new Map(steplens.hub.sent);
    const uri = vscode.Uri.file(join(workspaceRoot(), 'coin.md'));
    const second = await vscode.commands.executeCommand<Run | undefined>('steplens.analyzeProblem', uri);
    assert.ok(second);
    const delta = (type: 'run/show' | 'run/sample' | 'run/judgement' | 'run/finished') =>
      (steplens.hub.sent.get(type) ?? 0) - (before.get(type) ?? 0);
    const panels = steplens.hub.readyPanels;
    assert.equal(delta('run/show'), panels, 'the run is shown once per panel');
    assert.equal(delta('run/sample'), 4 * panels, 'one delta per sample');
    assert.equal(delta('run/judgement'), 8 * panels, 'one delta per judgement (4 samples × 2 judges)');
    assert.equal(delta('run/finished'), panels);
    // Back to the first run for the tests that follow.
    await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
  });

  it('each annotator sees only their own labels; switching annotator shows the panels theirs', async () => {
    const steplens = await api();
    const settings = vscode.workspace.getConfiguration('steplens');
    try {
      await settings.update('annotator', 'ana', vscode.ConfigurationTarget.Global);
      for (let tries = 0; tries < 100 && (await steplens.annotators.current()) !== 'ana'; tries++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await steplens.annotators.current(), 'ana');
      const writer = steplens.storage.writer(runPath, run.id);
      await writer.append({
        ...stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: 1 }),
        annotator: 'ana',
      });
      await writer.append({
        ...stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: -1 }),
        annotator: 'ben',
      });
      await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
      const ratings = () =>
        steplens.hub.shownEvents.map((event) => [
          event.annotator,
          event.type === 'stepRating' ? event.rating : null,
        ]);
      await until("ana's label shown", () => ratings().length === 1);
      assert.deepEqual(ratings(), [['ana', 1]]);
      assert.deepEqual(steplens.hub.annotatorsOfOpenRun().sort(), ['ana', 'ben']);

      const shows = steplens.hub.sent.get('run/show') ?? 0;
      await settings.update('annotator', 'ben', vscode.ConfigurationTarget.Global);
      await until("ben's label shown", () => ratings()[0]?.[0] === 'ben');
      assert.deepEqual(ratings(), [['ben', -1]]);
      await until('the panels told', () => (steplens.hub.sent.get('run/show') ?? 0) > shows);
    } finally {
      await settings.update('annotator', undefined, vscode.ConfigurationTarget.Global);
    }
    // Leave the log as the export test below expects it: no labels yet.
    writeFileSync(steplens.storage.auditPath(runPath, run.id), '');
    await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
  });

  it("a label written to the open run's audit log elsewhere (the queue, another window) reaches the panels without reopening the run", async () => {
    const steplens = await api();
    await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
    await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    assert.equal(steplens.hub.current?.run.id, run.id);
    assert.deepEqual(steplens.hub.shownEvents, [], 'the log is empty (the test above left it so)');
    const log = steplens.storage.auditPath(runPath, run.id);
    const sentLabels = steplens.hub.sent.get('run/labels') ?? 0;
    const me = await steplens.annotators.current();
    const label = { ...stampEvent({ type: 'stepRating', sample: 0, step: 1, rating: -1 }), annotator: me };
    appendFileSync(log, `${JSON.stringify(label)}\n`);
    await until('the label shown', () => (steplens.hub.shownEvents.length === 1 ? true : undefined));
    assert.deepEqual(steplens.hub.shownEvents, [label]);
    assert.ok((steplens.hub.sent.get('run/labels') ?? 0) > sentLabels, 'the panels were sent the labels');
    writeFileSync(log, '');
    await until('the emptied log shown', () => (steplens.hub.shownEvents.length === 0 ? true : undefined));
  });

  it('Export Audits writes the labeled data and the report', async () => {
    const steplens = await api();
    const writer = steplens.storage.writer(runPath, run.id);
    const beta = run.samples.find((sample) => sample.steps[0]?.startsWith('beta'))!;
    await writer.append(stampEvent({ type: 'stepRating', sample: beta.index, step: 0, rating: 1 }));
    await writer.append(stampEvent({ type: 'stepRating', sample: beta.index, step: 1, rating: -1 }));
    const out = join(workspaceRoot(), 'exported');
    const written = await vscode.commands.executeCommand<string | undefined>('steplens.exportAudits', out, [
      runPath,
    ]);
    assert.equal(written, out);
    const rows = readFileSync(join(out, 'processbench.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      rows.map((row) => [row.id, row.label]),
      [[`${run.id}/${beta.index}`, 1]],
    );
    assert.match(
      readFileSync(join(out, 'steps.csv'), 'utf8'),
      new RegExp(`${run.id},${beta.index},1,.*,-1,`),
    );
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /ProcessBench F1 against the human labels/);
  });

  it('Evaluate Judges on a ProcessBench file writes and opens the report; a rerun reuses every row', async () => {
    const steplens = await api();
    const file = vscode.Uri.file(join(workspaceRoot(), 'evaluate', 'gsm8k.jsonl'));
    const out = join(workspaceRoot(), '.steplens', 'evaluations', 'gsm8k');
    const evaluate = async () => {
      const noticed = steplens.notices.length;
      const result = await vscode.commands.executeCommand<EvaluateJudgesResult | undefined>(
        'steplens.evaluateJudges',
        file,
        [file],
      );
      const notices = steplens.notices.slice(noticed).join(' | ');
      assert.ok(result, `the command returned its outcome; notices: ${notices}`);
      return { result, notices };
    };
    const first = await evaluate();
    assert.equal(first.result.out, out);
    assert.deepEqual(
      [
        first.result.rows,
        first.result.judged,
        first.result.reused,
        first.result.skipped,
        first.result.complete,
      ],
      [3, 3, 0, 0, true],
    );
    assert.match(
      first.notices,
      /StepLens: evaluated 3 row\(s\) into \.steplens\/evaluations\/gsm8k \(3 judged now, 0 reused\); the report is open\./,
    );
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      rows: number;
      complete: boolean;
      subsets: Record<string, number>;
      judgeEvaluation: Record<string, { subsets: Record<string, { n: number; errorAccuracy: number }> }>;
    };
    assert.equal(report.rows, 3);
    assert.equal(report.complete, true);
    assert.deepEqual(report.subsets, { gsm8k: 3 });
    assert.equal(report.judgeEvaluation.self?.subsets.gsm8k?.errorAccuracy, 0.5);
    assert.equal(report.judgeEvaluation['qwen-prm']?.subsets.gsm8k?.errorAccuracy, 1);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /qwen-prm/);
    assert.ok(existsSync(join(out, 'runs', 'gsm8k', 'gsm8k-202.json')));
    // The report opens by itself, rendered: a Markdown preview tab, showing this report (the preview
    // loads its document; Export Audits' preview may be the same tab, now showing this file).
    const markdownPath = join(out, 'report.md');
    await until('the report open in a Markdown preview', () =>
      vscode.window.tabGroups.all.some((group) =>
        group.tabs.some(
          (tab) =>
            tab.label === 'Preview report.md' &&
            vscode.workspace.textDocuments.some((document) => document.uri.fsPath === markdownPath),
        ),
      ),
    );
    // Rerunning the same command resumes: every row reused (the runner checks no request was sent).
    const again = await evaluate();
    assert.deepEqual(
      [again.result.rows, again.result.judged, again.result.reused, again.result.complete],
      [3, 0, 3, true],
    );
    assert.match(again.notices, /\(0 judged now, 3 reused\)/);
  });

  it('a judge evaluation folder: its disagreements make an audit queue, and Open Dataset Report opens its own report', async () => {
    const steplens = await api();
    const folder = join(workspaceRoot(), '.steplens', 'evaluations', 'gsm8k');
    assert.ok(existsSync(join(folder, 'evaluation.json')), 'the evaluation of the test above');
    await vscode.commands.executeCommand('steplens.openAuditQueue', vscode.Uri.file(folder));
    const view = steplens.queues.views.get(folder);
    assert.ok(view, `an audit queue for ${folder}; notices: ${steplens.notices.join(' | ')}`);
    const sent = await until('the queue page ready', () => view.ready && view.lastSent, 60_000);
    const probe = JSON.stringify(sent).slice(0, 400);
    assert.equal(sent.type, 'queue/show', probe);
    assert.ok(sent.type === 'queue/show' && sent.items.length > 0, probe);
    assert.deepEqual(sent.type === 'queue/show' && sent.choices.subsets, ['gsm8k']);
    view.panel.dispose();

    const noticed = steplens.notices.length;
    const opened = await vscode.commands.executeCommand(
      'steplens.openDatasetReport',
      vscode.Uri.file(folder),
    );
    assert.equal(opened, undefined, 'no Dataset Report view of a judge evaluation');
    assert.match(
      steplens.notices.slice(noticed).join(' | '),
      /gsm8k is a judge evaluation \(Evaluate Judges\): its report, report\.md, is open/,
    );
  });

  it('Evaluate Judges names the file and field of bad input, and a folder made with other judges', async () => {
    const steplens = await api();
    const noticesOf = async (uri: vscode.Uri) => {
      const before = steplens.notices.length;
      const result = await vscode.commands.executeCommand('steplens.evaluateJudges', uri);
      assert.equal(result, undefined);
      return steplens.notices.slice(before).join('\n');
    };
    const file = vscode.Uri.file(join(workspaceRoot(), 'evaluate', 'gsm8k.jsonl'));
    // GSM8K questions and answers, no steps: nothing to evaluate.
    assert.match(
      await noticesOf(vscode.Uri.file(join(workspaceRoot(), 'gsm8k.jsonl'))),
      /gsm8k\.jsonl: no row with steps and a first-error label/,
    );
    assert.match(
      await noticesOf(vscode.Uri.file(join(workspaceRoot(), 'malformed.jsonl'))),
      /malformed\.jsonl, line 2, field "steps\.1": /,
    );
    const settings = readRunConfig();
    assert.ok(settings.ok);
    const configPath = join(workspaceRoot(), 'eval-config', 'steplens.json');
    mkdirSync(join(workspaceRoot(), 'eval-config'), { recursive: true });
    const config = {
      policy: { baseUrl: settings.config.policy.baseUrl, model: settings.config.policy.model },
      selfJudge: { mode: 'critic', samples: 2 },
      prms: [],
    };
    writeFileSync(configPath, JSON.stringify({ ...config, selfJugde: { samples: 2 } }));
    const configuration = vscode.workspace.getConfiguration('steplens');
    await configuration.update(
      'evaluation.configFile',
      'eval-config/steplens.json',
      vscode.ConfigurationTarget.Global,
    );
    try {
      assert.match(await noticesOf(file), /eval-config\/steplens\.json: unknown key "selfJugde"/);
      // A sound config with other judges than the folder's rows were made with: refused, nothing sent.
      writeFileSync(configPath, JSON.stringify(config));
      assert.match(
        await noticesOf(file),
        /StepLens: \.steplens\/evaluations\/gsm8k: holds an evaluation made with other judges, prompts or templates than eval-config\/steplens\.json now gives/,
      );
    } finally {
      await configuration.update('evaluation.configFile', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Evaluate Dataset: k and judges asked, runs and dataset.json written, listed complete in the Datasets view; a rerun reuses all; a problem opens its run', async () => {
    const steplens = await api();
    const file = vscode.Uri.file(join(workspaceRoot(), 'dataset', 'aime-mini.jsonl'));
    const out = join(workspaceRoot(), '.steplens', 'datasets', 'aime-mini');
    const prefilled: string[] = [];
    let k = '2';
    const offered: string[][] = [];
    steplens.dialogs.scriptedInput = (_prompt, value) => {
      prefilled.push(value);
      return k;
    };
    steplens.dialogs.scriptedPick = (_title, labels) => {
      offered.push([...labels]);
      return labels;
    };
    const evaluate = async () => {
      const noticed = steplens.notices.length;
      const result = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        'steplens.evaluateDataset',
        file,
      );
      return { result, notices: steplens.notices.slice(noticed).join(' | ') };
    };
    const datasetNode = async () => {
      const roots = await steplens.datasets.getChildren();
      return roots.find(
        (node): node is Extract<DatasetNode, { kind: 'dataset' }> =>
          node.kind === 'dataset' && node.status.name === 'aime-mini',
      );
    };
    try {
      const first = await evaluate();
      assert.ok(first.result, `the command returned its outcome; notices: ${first.notices}`);
      // k prefilled from steplens.policy.samples (4 in the runner's settings); both judges offered.
      assert.deepEqual(prefilled, ['4']);
      assert.deepEqual(offered, [['self', 'qwen-prm']]);
      const { result } = first;
      assert.deepEqual(
        [
          result.out,
          result.problems,
          result.finished,
          result.reused,
          result.complete,
          result.k,
          result.confirmed,
        ],
        [out, 3, 3, 0, true, 2, false],
      );
      assert.deepEqual(result.judges, ['self', 'qwen-prm']);
      assert.ok(result.requests > 0);
      assert.match(
        first.notices,
        /StepLens: dataset \.steplens\/datasets\/aime-mini complete: 3 problem\(s\), 0 reused \(\d+ request\(s\), /,
      );
      const index = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as {
        complete: boolean;
        samplesPerProblem: number;
        judges: { id: string }[];
        problems: { id: string; run: string; samples: unknown[] }[];
      };
      assert.equal(index.complete, true);
      assert.equal(index.samplesPerProblem, 2);
      assert.deepEqual(
        index.judges.map((judge) => judge.id),
        ['self', 'qwen-prm'],
      );
      assert.deepEqual(
        index.problems.map((problem) => [problem.id, problem.samples.length]),
        [
          ['ds-1', 2],
          ['ds-2', 2],
          ['ds-3', 2],
        ],
      );
      for (const problem of index.problems) assert.ok(existsSync(join(out, problem.run)), problem.run);
      assert.deepEqual(JSON.parse(readFileSync(join(out, 'dataset-source.json'), 'utf8')), {
        schemaVersion: 1,
        files: ['dataset/aime-mini.jsonl'],
        problems: 3,
        k: 2,
        judges: ['self', 'qwen-prm'],
      });

      // The Datasets view lists it complete; clicking it opens the report.
      const node = await datasetNode();
      assert.ok(node, 'listed');
      assert.deepEqual([node.status.state, node.status.finished, node.status.total], ['complete', 3, 3]);
      const item = steplens.datasets.getTreeItem(node);
      assert.equal(item.label, 'aime-mini');
      assert.equal(item.description, '3/3 · complete');
      assert.equal(item.command?.command, 'steplens.openDatasetReport');

      // Another k for the same folder: refused, naming the folder and how it was made; nothing sent.
      k = '3';
      const refused = await evaluate();
      assert.equal(refused.result, undefined);
      assert.match(
        refused.notices,
        /StepLens: \.steplens\/datasets\/aime-mini: holds a dataset sampled and judged with another policy, k, judges, prompts or templates \(made with k = 2, judges self, qwen-prm\)/,
      );

      // Run again as it was made (k prefilled from the dataset): everything reused, no request.
      k = '2';
      const again = await evaluate();
      assert.ok(again.result, again.notices);
      assert.equal(prefilled.at(-1), '2', 'an existing dataset offers its own k');
      assert.deepEqual(
        [again.result.problems, again.result.reused, again.result.requests, again.result.complete],
        [3, 3, 0, true],
      );

      // Expanded: its problems; clicking one opens its run in the panel.
      const children = await steplens.datasets.getChildren(node);
      assert.deepEqual(
        children.map((child) => (child.kind === 'problem' ? child.id : child.kind)),
        ['ds-1', 'ds-2', 'ds-3'],
      );
      const problemItem = steplens.datasets.getTreeItem(children[1]!);
      assert.equal(problemItem.label, 'ds-2');
      assert.match(String(problemItem.description), /^\d\/2 correct$/);
      assert.ok(problemItem.command);
      await vscode.commands.executeCommand(
        problemItem.command.command,
        ...(problemItem.command.arguments ?? []),
      );
      assert.equal(steplens.hub.current?.path, join(out, 'runs', 'ds-2.json'));
      assert.equal(steplens.hub.current?.run.problem.id, 'ds-2');
      await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    } finally {
      delete steplens.dialogs.scriptedInput;
      delete steplens.dialogs.scriptedPick;
    }
  });

  it('Evaluate Dataset asks before a large plan (dismissed: nothing sent), sends labelled rows to Evaluate Judges, resumes only dataset folders', async () => {
    const steplens = await api();
    const big = join(workspaceRoot(), 'dataset', 'big.jsonl');
    writeFileSync(
      big,
      `${[1, 2, 3].map((i) => JSON.stringify({ id: `big-${i}`, problem: `Big ${i}: what is ${i} + 1?`, answer: String(i + 1) })).join('\n')}\n`,
    );
    steplens.dialogs.scriptedInput = () => '200';
    steplens.dialogs.scriptedPick = (_title, labels) => labels;
    const questions: string[] = [];
    steplens.dialogs.scripted = (question) => {
      questions.push(question);
      return undefined;
    };
    try {
      const asked = steplens.dialogs.asked.length;
      const result = await vscode.commands.executeCommand('steplens.evaluateDataset', vscode.Uri.file(big));
      assert.equal(result, undefined);
      // 3 problems × 200 samples: at most 600 sampling + 2,400 critique + 600 PRM requests, far above 500.
      assert.deepEqual(questions, [
        'Evaluate Dataset: send about 3,600 requests on your key for .steplens/datasets/big?',
      ]);
      const detail = steplens.dialogs.asked.slice(asked).at(-1)!;
      assert.match(detail, /3 problem\(s\): 0 complete, 3 to run\.\nRequests: 678–3,600\./);
      assert.match(detail, /Cost: no prices configured/);
      assert.equal(
        existsSync(join(workspaceRoot(), '.steplens', 'datasets', 'big', 'dataset-source.json')),
        false,
      );

      // Step-labelled rows: a judge evaluation, handed to Evaluate Judges (its rows reused: nothing sent).
      const noticed = steplens.notices.length;
      await vscode.commands.executeCommand(
        'steplens.evaluateDataset',
        vscode.Uri.file(join(workspaceRoot(), 'evaluate', 'gsm8k.jsonl')),
      );
      const notices = steplens.notices.slice(noticed).join(' | ');
      assert.match(
        notices,
        /they evaluate the judges rather than sample a dataset: running Evaluate Judges on them/,
      );
      assert.match(notices, /\(0 judged now, 3 reused\)/);

      // Resume takes dataset folders of this workspace only.
      const before = steplens.notices.length;
      await vscode.commands.executeCommand('steplens.resumeDataset', join(workspaceRoot(), 'dataset'));
      assert.match(
        steplens.notices.slice(before).join(' | '),
        /is not a dataset folder \(\.steplens\/datasets\/<name>\) of this workspace/,
      );
    } finally {
      delete steplens.dialogs.scriptedInput;
      delete steplens.dialogs.scriptedPick;
      delete steplens.dialogs.scripted;
    }
  });

  it('Evaluate Dataset whose every sample fails: said so with the cause, never a ✓ and "complete" in the Datasets view; its click offers to ask again instead of an empty report', async () => {
    const steplens = await api();
    const file = vscode.Uri.file(join(workspaceRoot(), 'dataset', 'unrecorded.jsonl'));
    const out = join(workspaceRoot(), '.steplens', 'datasets', 'unrecorded');
    steplens.dialogs.scriptedInput = () => '2';
    steplens.dialogs.scriptedPick = () => [];
    const questions: string[] = [];
    let answer: string | undefined;
    steplens.dialogs.scripted = (question) => {
      questions.push(question);
      return answer;
    };
    const since = (noticed: number) => steplens.notices.slice(noticed).join(' | ');
    const reportTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .filter((tab) => /report\.md/.test(tab.label))
        .map((tab) => tab.label);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      let noticed = steplens.notices.length;
      const result = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        'steplens.evaluateDataset',
        file,
      );
      assert.ok(result, since(noticed));
      assert.deepEqual(
        [result.complete, result.finished, result.samples, result.failedSamples],
        [true, 2, 4, 4],
      );
      const closing = since(noticed);
      assert.match(
        closing,
        /StepLens: dataset \.steplens\/datasets\/unrecorded: every sample failed \(4 of 4, in 2 problem\(s\); .*\), so there is no report to show\. First failure \(problem ur-1\): .*HTTP 400: stub endpoint: no recorded solution of this problem/,
      );
      assert.doesNotMatch(closing, /report is open/);
      // The preview's tab appears a moment after the command returns (about a second when it is
      // opened): watched for 3 s. A slow machine could only miss a regression here, never fail.
      const watchEnd = Date.now() + 3000;
      while (reportTabs().length === 0 && Date.now() < watchEnd)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(reportTabs(), [], 'no report of zero samples is opened');

      const node = (await steplens.datasets.getChildren()).find(
        (candidate): candidate is Extract<DatasetNode, { kind: 'dataset' }> =>
          candidate.kind === 'dataset' && candidate.status.name === 'unrecorded',
      );
      assert.ok(node, 'listed');
      const item = steplens.datasets.getTreeItem(node);
      assert.equal(item.description, '2/2 · every sample failed');
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(String(item.tooltip), /Every sample failed: 4 of 4 in 2 problem\(s\)/);
      assert.match(String(item.tooltip), /First failure \(problem ur-1\): .*HTTP 400: stub endpoint/);
      assert.deepEqual([item.command?.command, item.command?.arguments], ['steplens.resumeDataset', [out]]);
      // Its menus: ask again, but no report, queue or adjudication of zero samples.
      assert.equal(item.contextValue, 'steplens.dataset.complete.allFailed');

      // The click: asked, not an empty report; declined, nothing is sent or written.
      const written = readFileSync(join(out, 'dataset.json'), 'utf8');
      noticed = steplens.notices.length;
      const declined = await vscode.commands.executeCommand(
        item.command!.command,
        ...item.command!.arguments!,
      );
      assert.equal(declined, undefined);
      assert.deepEqual(questions, [
        'StepLens: every sample of .steplens/datasets/unrecorded failed, so it has no report. Ask the failed samples again?',
      ]);
      assert.match(steplens.dialogs.asked.at(-1)!, /First failure \(problem ur-1\)/);
      assert.equal(since(noticed), '');
      assert.equal(readFileSync(join(out, 'dataset.json'), 'utf8'), written);

      // Asked again: the failed samples are requested anew (the endpoint still refuses them).
      answer = 'Ask Again';
      const again = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        item.command!.command,
        ...item.command!.arguments!,
      );
      assert.ok(again, since(noticed));
      assert.ok(again.requests > 0, 'the failed samples were asked again');
      assert.deepEqual([again.reused, again.failedSamples], [0, 4]);
    } finally {
      delete steplens.dialogs.scriptedInput;
      delete steplens.dialogs.scriptedPick;
      delete steplens.dialogs.scripted;
    }
  });

  it('Evaluate Dataset where some samples fail: the Datasets row says how many, and Ask Failed Samples Again asks them again or keeps them', async () => {
    const steplens = await api();
    const file = vscode.Uri.file(join(workspaceRoot(), 'dataset', 'mixed.jsonl'));
    steplens.dialogs.scriptedInput = () => '2';
    steplens.dialogs.scriptedPick = () => [];
    const questions: string[] = [];
    let answer: string | undefined;
    steplens.dialogs.scripted = (question) => {
      questions.push(question);
      return answer;
    };
    try {
      const noticed = steplens.notices.length;
      const result = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        'steplens.evaluateDataset',
        file,
      );
      assert.ok(result, steplens.notices.slice(noticed).join(' | '));
      assert.deepEqual([result.complete, result.samples, result.failedSamples], [true, 4, 2]);
      const node = (await steplens.datasets.getChildren()).find(
        (candidate): candidate is Extract<DatasetNode, { kind: 'dataset' }> =>
          candidate.kind === 'dataset' && candidate.status.name === 'mixed',
      );
      assert.ok(node, 'listed');
      const item = steplens.datasets.getTreeItem(node);
      assert.match(String(item.description), /^2\/2 · complete · 2 of 4 samples failed/);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
      // The menu item the manifest shows for it (and its report, queue and adjudication).
      assert.equal(item.contextValue, 'steplens.dataset.complete.someFailed');
      assert.equal(item.command?.command, 'steplens.openDatasetReport');

      // Kept: the run goes on as it was, nothing is asked of the endpoint.
      answer = 'Keep Them';
      const kept = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        'steplens.askFailedAgain',
        node,
      );
      assert.match(
        questions.at(-1) ?? '',
        /^StepLens: 2 of 4 samples of \.steplens\/datasets\/mixed failed\. Ask them again\?$/,
      );
      assert.ok(kept);
      assert.deepEqual([kept.requests, kept.failedSamples], [0, 2]);
      // Asked again: only the failed problem's samples are requested (the endpoint still refuses them).
      answer = 'Ask Again';
      const again = await vscode.commands.executeCommand<EvaluateDatasetResult | undefined>(
        'steplens.askFailedAgain',
        node,
      );
      assert.ok(again);
      assert.ok(again.requests > 0, 'the failed samples were asked again');
      assert.deepEqual([again.reused, again.failedSamples], [1, 2]);
      // Dismissed: the command ends, nothing is run.
      answer = undefined;
      const dismissed = await vscode.commands.executeCommand('steplens.askFailedAgain', node);
      assert.equal(dismissed, undefined);
    } finally {
      delete steplens.dialogs.scriptedInput;
      delete steplens.dialogs.scriptedPick;
      delete steplens.dialogs.scripted;
    }
  });

  it('Rescore Run… asks which judges to run, runs only those, and says what changed', async () => {
    const steplens = await api();
    await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath));
    const offered: string[][] = [];
    steplens.dialogs.scriptedPick = (_title, labels) => {
      offered.push([...labels]);
      return ['qwen-prm'];
    };
    const asked = steplens.dialogs.asked.length;
    const noticed = steplens.notices.length;
    try {
      const rescored = await vscode.commands.executeCommand<Run | undefined>('steplens.rescoreRun');
      assert.ok(rescored, `rescored; notices: ${steplens.notices.slice(noticed).join(' | ')}`);
      assert.deepEqual(offered, [['self', 'qwen-prm']]);
      assert.match(
        steplens.dialogs.asked[asked]!,
        /\[ \] self — in this run: replace its scores\n\[ \] qwen-prm — in this run: replace its scores/,
      );
      // Self-PRM was left out: its scores and settings stay as they were.
      const beta = rescored.samples.find((sample) => sample.steps[0]?.startsWith('beta'))!;
      assert.deepEqual(beta.judgements.self?.stepScores, [1, 0.25, 0.25]);
      assert.deepEqual(beta.judgements['qwen-prm']?.stepScores, [0.98, 0.9, 0.1]);
      assert.equal(rescored.config.selfJudge.mode, 'critic');
      assert.match(
        steplens.notices.slice(noticed).join('\n'),
        /StepLens: Rescored 4 samples of \S+: qwen-prm replaced \(self kept\)\./,
      );
    } finally {
      delete steplens.dialogs.scriptedPick;
    }
  });

  it('a malformed problem file gets a clear message naming file, line and field, and no crash', async () => {
    const steplens = await api();
    const before = steplens.notices.length;
    const bad = vscode.Uri.file(join(workspaceRoot(), 'malformed.jsonl'));
    const result = await vscode.commands.executeCommand('steplens.analyzeProblem', bad);
    assert.equal(result, undefined);
    const notice = steplens.notices.slice(before).join('\n');
    assert.match(notice, /malformed\.jsonl, line 2, field "steps\.1": .*string/);
    // Still alive: another command works.
    assert.ok(await vscode.commands.executeCommand('steplens.openRun', vscode.Uri.file(runPath)));
  });

  it('a bad setting is named; a workspace cannot redirect where keys go', async () => {
    const steplens = await api();
    const configuration = vscode.workspace.getConfiguration('steplens');
    await configuration.update('policy.samples', 0, vscode.ConfigurationTarget.Global);
    try {
      const before = steplens.notices.length;
      await vscode.commands.executeCommand(
        'steplens.analyzeProblem',
        vscode.Uri.file(join(workspaceRoot(), 'hypotenuse.md')),
      );
      assert.match(steplens.notices.slice(before).join('\n'), /Setting "steplens\.policy\.samples": /);
    } finally {
      await configuration.update('policy.samples', undefined, vscode.ConfigurationTarget.Global);
    }
    const settingsDir = join(workspaceRoot(), '.vscode');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(settingsDir, { recursive: true });
    writeFileSync(
      join(settingsDir, 'settings.json'),
      JSON.stringify({
        'steplens.policy.baseUrl': 'http://attacker.invalid/v1',
        'steplens.policy.model': 'workspace-model',
      }),
    );
    await until(
      'the workspace setting to load',
      () => vscode.workspace.getConfiguration('steplens').get('policy.model') === 'workspace-model',
    );
    const result = readRunConfig();
    assert.ok(result.ok);
    assert.doesNotMatch(String(result.config.policy.baseUrl), /attacker/);
    assert.equal(
      result.config.policy.model,
      'workspace-model',
      'harmless settings may come from the workspace',
    );
  });

  it('a workspace asking for more samples than it may set alone is asked about once, with the cost', async () => {
    const steplens = await api();
    const settingsPath = join(workspaceRoot(), '.vscode', 'settings.json');
    const writeWorkspace = async (values: Record<string, number | string>) => {
      writeFileSync(settingsPath, JSON.stringify(values));
      const [[key, value]] = Object.entries(values) as [[string, number | string]];
      await until('the workspace setting to load', () =>
        vscode.workspace.getConfiguration().inspect(key)?.workspaceValue === value ? true : undefined,
      );
    };
    const analyze = () =>
      vscode.commands.executeCommand<Run | undefined>(
        'steplens.analyzeProblem',
        vscode.Uri.file(join(workspaceRoot(), 'hypotenuse.md')),
      );
    const inspected = vscode.workspace.getConfiguration('steplens').inspect<number>('policy.samples');
    const userSamples = inspected?.globalValue ?? inspected?.defaultValue;
    const answers: string[] = [];
    steplens.dialogs.scripted = (_question, choices) => {
      const answer = answers.shift();
      return answer && choices.includes(answer) ? answer : undefined;
    };
    try {
      // A cloned repository's settings: 1024 samples × 64 critiques on the user's key.
      await writeWorkspace({ 'steplens.policy.samples': 1024, 'steplens.selfJudge.critiques': 64 });
      const asked = steplens.dialogs.asked.length;
      answers.push('Use My Settings');
      const declined = await analyze();
      assert.equal(steplens.dialogs.asked.length, asked + 1);
      const question = steplens.dialogs.asked.at(-1)!;
      assert.ok(question.includes(`steplens.policy.samples = 1024 (yours: ${userSamples})`), question);
      assert.match(question, /steplens\.selfJudge\.critiques = 64 \(yours: 4\)/);
      assert.match(question, /With the workspace's values: up to 66,688 requests/);
      // Yours: N samples + 4N critiques + one batched PRM request.
      assert.match(question, new RegExp(`With yours: up to ${userSamples! * 5 + 1} requests`));
      assert.equal(declined?.samples.length, userSamples, "the user's own sample count is used");
      assert.equal(declined?.config.selfJudge.samples, 4);

      // The answer is kept for this workspace and these values: no second question.
      const again = await analyze();
      assert.equal(steplens.dialogs.asked.length, asked + 1);
      assert.equal(again?.samples.length, userSamples);

      // New values ask again; dismissing the question sends nothing and writes no run.
      await writeWorkspace({ 'steplens.policy.samples': 17 });
      const runsBefore = (await steplens.storage.list()).length;
      const dismissed = await analyze();
      assert.equal(dismissed, undefined);
      assert.equal(steplens.dialogs.asked.length, asked + 2);
      assert.equal((await steplens.storage.list()).length, runsBefore);

      answers.push('Allow for This Workspace');
      const allowed = await analyze();
      assert.equal(steplens.dialogs.asked.length, asked + 3);
      assert.equal(allowed?.samples.length, 17, 'allowed: the workspace value is used');

      // Stepwise self-judging is one request (a whole reasoning, for reasoning models) per step.
      await writeWorkspace({ 'steplens.selfJudge.mode': 'stepwise' });
      answers.push('Use My Settings');
      const critic = await analyze();
      assert.equal(steplens.dialogs.asked.length, asked + 4);
      assert.match(steplens.dialogs.asked.at(-1)!, /steplens\.selfJudge\.mode = stepwise \(yours: critic\)/);
      assert.match(steplens.dialogs.asked.at(-1)!, /per step/);
      assert.equal(critic?.config.selfJudge.mode, 'critic');
    } finally {
      delete steplens.dialogs.scripted;
      writeFileSync(settingsPath, '{}');
    }
  });

  it('Open Dataset Report shows a dataset folder, opens a problem in the panel at its first disagreement, and refreshes when dataset.json changes', async () => {
    const steplens = await api();
    // A one-problem dataset folder written by the real writers: the run above as runs/<id>.json.
    const folder = join(workspaceRoot(), '.steplens', 'datasets', 'it-dataset');
    mkdirSync(join(folder, 'runs'), { recursive: true });
    const runFile = `runs/${run.id}.json`;
    await writeRun(join(folder, runFile), run);
    const problem = datasetProblem(run, runFile, run.config);
    const index: DatasetIndex = {
      schemaVersion: 1,
      samplesPerProblem: run.samples.length,
      problemsTotal: 1,
      judges: run.judges,
      thresholds: Object.fromEntries(
        run.judges.map((judge) => [judge.id, judgeThreshold(run.config, judge.id)]),
      ),
      usage: datasetUsage([problem]),
      cost: { total: null, bySource: {}, unpriced: [] },
      complete: false,
      problems: [problem],
      excluded: [],
    };
    writeFileSync(join(folder, 'dataset.json'), JSON.stringify(index));
    await writeDatasetReport(folder, index, { subsets: 5, name: 'aime-mini' });
    const expected = firstDisagreement(problem, prmIds(index));
    // beta: Self-PRM's first error is step 1 (0.25 < τ), the PRM's step 2.
    const beta = run.samples.find((sample) => sample.steps[0]?.startsWith('beta'))!;
    assert.deepEqual(expected, { sample: beta.index, step: 1, prm: 'qwen-prm' });

    await vscode.commands.executeCommand('steplens.openDatasetReport', vscode.Uri.file(folder));
    const view = steplens.reports.views.get(folder);
    assert.ok(view, `a report view for ${folder}; notices: ${steplens.notices.join(' | ')}`);
    // The name given with --name titles the view, as it titles report.html.
    assert.equal(view.panel.title, 'Report · aime-mini');
    // The page's script ran under its CSP in the real webview and asked for the problems.
    const sent = await until('the report page ready with its problems', () => view.ready && view.lastSent);
    assert.equal(sent.complete, false);
    assert.deepEqual(sent.methods, ['majority', 'self-prm', 'prm-best-of-n:qwen-prm']);
    assert.deepEqual(
      sent.rows.map((row) => [row.id, row.run, row.n, row.firstDisagreement]),
      [[run.problem.id, runFile, run.samples.length, expected]],
    );

    // What the page posts on a click: the problem opens in the panel at that sample and step.
    const other = join(workspaceRoot(), '.steplens', 'runs', 'elsewhere.json');
    await view.receive({ type: 'report/openRun', run: runFile, ...expected });
    assert.equal(steplens.hub.current?.path, join(folder, runFile));
    assert.equal(steplens.hub.current?.run.id, run.id);
    assert.deepEqual(
      { ...steplens.hub.current?.focus, id: undefined },
      { id: undefined, sample: beta.index, step: 1, prm: 'qwen-prm' },
    );
    await until('a ready panel', () => steplens.hub.readyPanels >= 1);
    // A path outside the folder, or a message that does not parse, opens nothing.
    await view.receive({ type: 'report/openRun', run: '../../runs/elsewhere.json' });
    await view.receive({ type: 'report/openRun', run: other });
    await view.receive({ type: 'report/openRun', run: runFile, sample: 'two' });
    assert.equal(steplens.hub.current?.path, join(folder, runFile));
    assert.ok(steplens.hub.current?.focus);

    // Live: the run ends and rewrites dataset.json; the view reads it again and says so.
    const reads = view.reads;
    writeFileSync(join(folder, 'dataset.json'), JSON.stringify({ ...index, complete: true }));
    await until(
      'the view refreshed',
      () => view.reads > reads && view.ready && view.lastSent?.complete === true,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await until('the report view closed', () => !steplens.reports.views.has(folder));

    // After a window reload VS Code hands back the panel with the state its page kept.
    const restored = vscode.window.createWebviewPanel(REPORT_PANEL_TYPE, 'Report', vscode.ViewColumn.Active);
    await steplens.reports.restore(restored, { folder, sort: 'disagreements' });
    const again = steplens.reports.views.get(folder);
    assert.ok(again, 'the restored panel shows its folder again');
    const resent = await until(
      'the restored page ready with its problems',
      () => again.ready && again.lastSent,
    );
    assert.equal(resent.rows.length, 1);
    // A state without a folder (a page that never heard from the host) is closed, not left blank.
    const blank = vscode.window.createWebviewPanel(REPORT_PANEL_TYPE, 'Report', vscode.ViewColumn.Active);
    let closed = false;
    blank.onDidDispose(() => {
      closed = true;
    });
    await steplens.reports.restore(blank, {});
    assert.ok(closed);
    again.panel.dispose();
  });

  it("Adjudicate Labels lists where two annotators disagree in a dataset folder and saves an adjudication as the window's annotator", async () => {
    const steplens = await api();
    const folder = join(workspaceRoot(), '.steplens', 'datasets', 'it-dataset');
    assert.ok(existsSync(join(folder, 'runs', `${run.id}.json`)), 'the dataset folder of the test above');
    const log = join(folder, 'audits', `${run.id}.jsonl`);
    mkdirSync(join(folder, 'audits'), { recursive: true });
    const line = (annotator: string, rating: -1 | 0 | 1) =>
      JSON.stringify({ ...stampEvent({ type: 'stepRating', sample: 0, step: 0, rating }), annotator });
    writeFileSync(log, `${line('ana', 1)}\n${line('ben', -1)}\n`);

    await vscode.commands.executeCommand('steplens.adjudicate', folder);
    const view = steplens.adjudications.views.get(folder);
    assert.ok(view, `an adjudication view for ${folder}; notices: ${steplens.notices.join(' | ')}`);
    // The page's script ran under its CSP in the real webview and asked for the items.
    const sent = await until('the adjudication page ready with its items', () => view.ready && view.lastSent);
    assert.equal(sent.type, 'adjudicate/items');
    const items = sent.type === 'adjudicate/items' ? sent.items : [];
    assert.deepEqual(
      items.map((item) => [item.runId, item.sample, item.kind, item.step, item.values, item.adjudicated]),
      [
        [
          run.id,
          0,
          'rating',
          0,
          [
            { annotator: 'ana', value: 1 },
            { annotator: 'ben', value: -1 },
          ],
          undefined,
        ],
      ],
    );

    // What the page posts on a key press; the page claims an annotator, the host's name is saved.
    const me = await steplens.annotators.current();
    const event = {
      ...stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: 1 }),
      annotator: 'mallory',
    };
    await view.receive({ type: 'audit/append', runId: run.id, requestId: 'a-1', event });
    const saved = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    assert.deepEqual(saved.at(-1), { ...event, annotator: me, adjudicated: true });
    const after = await until('the items sent again', () =>
      view.lastSent?.type === 'adjudicate/items' && view.lastSent.items[0]?.adjudicated === 1
        ? view.lastSent
        : undefined,
    );
    assert.equal(after.type === 'adjudicate/items' && after.annotator, me);
    // A third annotator labels the step elsewhere (the panel, the queue, another window): the
    // view reads the log when it changes on disk and shows the new value, without reopening.
    appendFileSync(log, `${line('cy', 0)}\n`);
    await until('the label written elsewhere shown', () =>
      view.lastSent?.type === 'adjudicate/items' &&
      view.lastSent.items[0]?.values.some((value) => value.annotator === 'cy' && value.value === 0)
        ? view.lastSent
        : undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it("Open Audit Queue: the page asks for the queue, a label is saved as the window's annotator, a window reload reopens it, and the workspace's runs make a queue too", async () => {
    const steplens = await api();
    const folder = join(workspaceRoot(), '.steplens', 'datasets', 'it-dataset');
    assert.ok(existsSync(join(folder, 'runs', `${run.id}.json`)), 'the dataset folder of the tests above');
    await vscode.commands.executeCommand('steplens.openAuditQueue', folder);
    const view = steplens.queues.views.get(folder);
    assert.ok(view, `an audit queue for ${folder}; notices: ${steplens.notices.join(' | ')}`);
    // The page's script ran under its CSP in the real webview and said ready.
    const shown = await until(
      'the queue page ready with its items',
      () => view.ready && view.lastShown,
      60_000,
    );
    const me = await steplens.annotators.current();
    assert.equal(shown.annotator, me);
    assert.ok(shown.items.length > 0, 'the run has disagreements');
    assert.ok(shown.items.every((item) => item.run === run.id));
    // The labels the test above wrote (ana, ben) count as other annotators'.
    assert.deepEqual(
      shown.others.map((other) => other.annotator).filter((name) => name === 'ana' || name === 'ben'),
      ['ana', 'ben'],
    );

    // What the page posts on a rating key; the page claims an annotator, the host's name is saved.
    const item = shown.items[0]!;
    const event = {
      ...stampEvent({ type: 'stepRating', sample: item.sample, step: item.step, rating: -1 }),
      annotator: 'mallory',
    };
    await view.receive({ type: 'queue/label', runId: run.id, requestId: 'q-1', event });
    const log = join(folder, 'audits', `${run.id}.jsonl`);
    const saved = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    assert.deepEqual(saved.at(-1), { ...event, annotator: me });
    // Its own save, noticed on disk, is not sent back; a label saved for the run elsewhere (the
    // panel, another window) is: the queue follows its runs' logs while it is open.
    const shows = view.lastShown;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(view.lastShown, shows, 'no queue sent again for its own label');
    const elsewhere = {
      ...stampEvent({ type: 'stepRating', sample: item.sample, step: item.step + 1, rating: 1 }),
      annotator: me,
    };
    appendFileSync(log, `${JSON.stringify(elsewhere)}\n`);
    await until('the label made elsewhere sent to the queue', () =>
      view.lastShown?.events[run.id]?.some((logged) => logged.at === elsewhere.at) ? true : undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await until('the queue closed', () => !steplens.queues.views.has(folder));

    // After a window reload VS Code hands back the panel with the state its page kept.
    const restored = vscode.window.createWebviewPanel(QUEUE_PANEL_TYPE, 'Audit', vscode.ViewColumn.Active);
    await steplens.queues.restore(restored, { source: { kind: 'dataset', folder } });
    const again = steplens.queues.views.get(folder);
    assert.ok(again, 'the restored panel shows its dataset again');
    const resent = await until('the restored page ready', () => again.ready && again.lastShown, 60_000);
    assert.deepEqual(
      resent.items.map((queued) => queued.key),
      shown.items.map((queued) => queued.key),
    );
    // Its own label is in the queue's copy of the log now.
    assert.ok(resent.events[run.id]?.some((logged) => logged.at === event.at));
    again.panel.dispose();
    // A state that names no queue closes the panel rather than leaving it blank.
    const blank = vscode.window.createWebviewPanel(QUEUE_PANEL_TYPE, 'Audit', vscode.ViewColumn.Active);
    let closed = false;
    blank.onDidDispose(() => {
      closed = true;
    });
    await steplens.queues.restore(blank, { source: { kind: 'elsewhere' } });
    assert.ok(closed);

    // The runs of the workspace (.steplens/runs/), their problem files standing for subsets.
    const runsPanel = vscode.window.createWebviewPanel(QUEUE_PANEL_TYPE, 'Audit', vscode.ViewColumn.Active);
    await steplens.queues.restore(runsPanel, { source: { kind: 'workspaceRuns' } });
    const workspace = steplens.queues.views.get(join(workspaceRoot(), '.steplens'));
    assert.ok(workspace, 'a queue of the workspace runs');
    // The queue, or the message that there is none (the page asks for more runs after either).
    const runs = await until(
      'the workspace queue ready',
      () =>
        workspace.ready &&
        (workspace.lastShown ??
          (workspace.lastSent?.type === 'queue/empty' ? assert.fail(workspace.lastSent.message) : undefined)),
      60_000,
    );
    assert.equal(runs.dataset, 'workspace runs');
    assert.ok(runs.items.length > 0);
    assert.ok(runs.choices.subsets.length > 0 && runs.items.every((queued) => queued.subset !== undefined));
    workspace.panel.dispose();
  });
});
