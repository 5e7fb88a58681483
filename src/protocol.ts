/**
 * Every message between the extension host and the panel: one discriminated union each way, named
 * `scope/verb`, parsed with zod on receipt by both sides. What does not parse is dropped.
 */
import { z } from 'zod';
import {
  AuditEventSchema,
  JudgementSchema,
  RerankPickSchema,
  RUN_STATUSES,
  RunSchema,
  SampleSchema,
} from './core/schemas.js';

export const ProgressSchema = z.object({
  sampled: z.number().int().min(0),
  sampleTotal: z.number().int().min(0),
  judged: z.number().int().min(0),
  judgeTotal: z.number().int().min(0),
});

/**
 * Names one `audit/append` so its answer can name it back: made by the panel, unique within the
 * panel's page, echoed by the host in `audit/saved` or `audit/failed`.
 */
export const RequestIdSchema = z.union([z.string().min(1).max(100), z.number().int().min(0)]);
export type RequestId = z.infer<typeof RequestIdSchema>;

/** Unreadable lines of a run's audit log named in the notice; the rest are only counted. */
export const SKIPPED_LINES_NAMED = 3;
const REASON_MAX = 200;

/**
 * Lines of the audit log that could not be read (a write cut short by a crash, an edit by hand):
 * their labels are missing from what the panel shows, so the panel says so.
 */
export const SkippedLinesSchema = z.object({
  /** The log: its path in VS Code, its file name in a standalone page that may be passed around. */
  log: z.string(),
  count: z.number().int().min(1),
  /** The first few, in file order. */
  lines: z
    .array(z.object({ line: z.number().int().min(1), reason: z.string().max(REASON_MAX) }))
    .max(SKIPPED_LINES_NAMED),
});
export type SkippedLines = z.infer<typeof SkippedLinesSchema>;

/** What `run/show` says about a log's unreadable lines; undefined when every line was read. */
export function skippedLines(
  log: string,
  skipped: readonly { line: number; reason: string }[],
): SkippedLines | undefined {
  if (skipped.length === 0) return undefined;
  return {
    log,
    count: skipped.length,
    lines: skipped.slice(0, SKIPPED_LINES_NAMED).map(({ line, reason }) => ({
      line,
      reason: reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason,
    })),
  };
}

/**
 * Where a panel is to go when it shows a run (the Dataset Report opens a problem at its first
 * disagreement): a sample, a step, the PRM to compare with. `id` names the request: a panel goes
 * there once per id, so a later `run/show` of the same run (a label saved in another panel) does
 * not pull it back.
 */
export const PanelFocusSchema = z.object({
  id: z.number().int().min(0),
  sample: z.number().int().min(0),
  step: z.number().int().min(0),
  prm: z.string().optional(),
});
export type PanelFocus = z.infer<typeof PanelFocusSchema>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  /** A whole run and its audit log: sent once per run shown. */
  z.object({
    type: z.literal('run/show'),
    run: RunSchema,
    events: z.array(AuditEventSchema),
    readOnly: z.boolean(),
    /** Absent when every line of the log was read. */
    skipped: SkippedLinesSchema.optional(),
    /** Absent: a run not shown before opens at its first disagreement, a shown one stays where it is. */
    focus: PanelFocusSchema.optional(),
  }),
  /** Deltas while a run is being analyzed: a sample arrived, a judge finished one. */
  z.object({ type: z.literal('run/sample'), runId: z.string(), sample: SampleSchema }),
  z.object({
    type: z.literal('run/judgement'),
    runId: z.string(),
    sample: z.number().int().min(0),
    judge: z.string(),
    judgement: JudgementSchema,
  }),
  z.object({
    type: z.literal('run/progress'),
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    progress: ProgressSchema,
  }),
  z.object({
    type: z.literal('run/finished'),
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    finishedAt: z.string().optional(),
    rerank: z.array(RerankPickSchema),
  }),
  /**
   * The answer to each `audit/append`, sent once the event is written to the audit log (saved) or
   * could not be (failed). Until its answer arrives the panel marks the label unsaved; after a
   * failure it keeps the mark and says which label and why.
   */
  z.object({ type: z.literal('audit/saved'), runId: z.string(), requestId: RequestIdSchema }),
  z.object({
    type: z.literal('audit/failed'),
    runId: z.string(),
    requestId: RequestIdSchema,
    message: z.string(),
  }),
  z.object({ type: z.literal('view/empty'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export const PANEL_COMMANDS = ['analyzeActiveFile', 'openRun', 'exportAudits'] as const;

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  /** The panel is listening: the host holds its posts until then. */
  z.object({ type: z.literal('ready') }),
  /** One label change, to append to the run's audit log; answered by `audit/saved` or `audit/failed`. */
  z.object({
    type: z.literal('audit/append'),
    runId: z.string().min(1),
    requestId: RequestIdSchema,
    event: AuditEventSchema,
  }),
  z.object({ type: z.literal('panel/openInEditor') }),
  z.object({ type: z.literal('command/run'), command: z.enum(PANEL_COMMANDS) }),
  z.object({ type: z.literal('log/error'), message: z.string().max(2000) }),
  /** The panel has painted the frame that shows a run (its opened sample's first steps). */
  z.object({ type: z.literal('panel/painted'), runId: z.string() }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

export function parseHostMessage(value: unknown): HostMessage | undefined {
  const parsed = HostMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  const parsed = WebviewMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

// ---------------------------------------------------------------------------------------------
// The Dataset Report view (src/host/reportView.ts ↔ webview/report/)

const boolOrNull = z.boolean().nullable();

/** One row of the problems table: src/core/reportProblems.ts's ProblemRow. */
export const ProblemRowSchema = z.object({
  id: z.string(),
  run: z.string(),
  subset: z.string().optional(),
  n: z.number().int().min(0),
  right: z.number().int().min(0).nullable(),
  passRate: z.number().min(0).max(1).nullable(),
  disagreements: z.number().int().min(0),
  firstDisagreement: z
    .object({ sample: z.number().int().min(0), step: z.number().int().min(0), prm: z.string() })
    .nullable(),
  picks: z.record(z.string(), boolOrNull),
});

export const ReportHostMessageSchema = z.discriminatedUnion('type', [
  /** The problems of the dataset folder, sent after `ready` and again whenever the folder's files change. */
  z.object({
    type: z.literal('report/problems'),
    /** Every problem has finished (dataset.json's `complete`). */
    complete: z.boolean(),
    /** The pick columns, in order: `majority`, `self-prm`, `prm-best-of-n:<judge>`… */
    methods: z.array(z.string()),
    rows: z.array(ProblemRowSchema),
    /** When the host read the files (ISO time). */
    read: z.string(),
  }),
  /** The folder this view shows, for the page to keep in its state: a window reload reopens it. */
  z.object({ type: z.literal('report/folder'), folder: z.string().min(1).max(4096) }),
]);
export type ReportHostMessage = z.infer<typeof ReportHostMessageSchema>;

export const ReportWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /**
   * Open a problem's run in the StepLens panel: `run` as dataset.json names it (relative to the
   * folder; the host refuses one outside it), at a sample and step when given.
   */
  z.object({
    type: z.literal('report/openRun'),
    run: z.string().min(1).max(1000),
    sample: z.number().int().min(0).optional(),
    step: z.number().int().min(0).optional(),
    prm: z.string().optional(),
  }),
  z.object({ type: z.literal('log/error'), message: z.string().max(2000) }),
]);
export type ReportWebviewMessage = z.infer<typeof ReportWebviewMessageSchema>;

export function parseReportHostMessage(value: unknown): ReportHostMessage | undefined {
  const parsed = ReportHostMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseReportWebviewMessage(value: unknown): ReportWebviewMessage | undefined {
  const parsed = ReportWebviewMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

// ---------------------------------------------------------------------------------------------
// The adjudication view (src/host/adjudicateView.ts ↔ webview/adjudicate/)

/** One disagreement between annotators with its context: src/core/adjudication.ts's AdjudicationItem. */
export const AdjudicationItemSchema = z.object({
  runId: z.string(),
  problemId: z.string(),
  problem: z.string(),
  sample: z.number().int().min(0),
  step: z.number().int().min(0),
  kind: z.enum(['rating', 'firstError']),
  values: z.array(z.object({ annotator: z.string(), value: z.number().int().min(-1) })),
  adjudicated: z.number().int().min(-1).optional(),
  steps: z.array(z.string()),
  judges: z.array(
    z.object({
      judge: z.string(),
      scores: z.array(z.number().nullable()),
      firstError: z.number().int().min(-1).nullable(),
    }),
  ),
});
export type AdjudicationItemMessage = z.infer<typeof AdjudicationItemSchema>;

export const AdjudicateHostMessageSchema = z.discriminatedUnion('type', [
  /**
   * Every disagreement of the runs shown, open ones first: sent after `ready` and again after
   * each saved adjudication (one label may settle others), when the page keeps its order and focus.
   */
  z.object({
    type: z.literal('adjudicate/items'),
    /** The dataset folder's name or the run's id. */
    title: z.string(),
    /** Whose name adjudications are saved under. */
    annotator: z.string(),
    items: z.array(AdjudicationItemSchema),
  }),
  z.object({ type: z.literal('audit/saved'), runId: z.string(), requestId: RequestIdSchema }),
  z.object({
    type: z.literal('audit/failed'),
    runId: z.string(),
    requestId: RequestIdSchema,
    message: z.string(),
  }),
]);
export type AdjudicateHostMessage = z.infer<typeof AdjudicateHostMessageSchema>;

export const AdjudicateWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** An adjudicated label: saved through saveAudit, which marks it adjudicated under the host's annotator. */
  z.object({
    type: z.literal('audit/append'),
    runId: z.string().min(1),
    requestId: RequestIdSchema,
    event: AuditEventSchema,
  }),
  z.object({ type: z.literal('log/error'), message: z.string().max(2000) }),
]);
export type AdjudicateWebviewMessage = z.infer<typeof AdjudicateWebviewMessageSchema>;

export function parseAdjudicateHostMessage(value: unknown): AdjudicateHostMessage | undefined {
  const parsed = AdjudicateHostMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseAdjudicateWebviewMessage(value: unknown): AdjudicateWebviewMessage | undefined {
  const parsed = AdjudicateWebviewMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
