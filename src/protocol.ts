/**
 * Every message between the extension host and the panel: one discriminated union each way, named
 * `scope/verb`, parsed with zod on receipt by both sides. What does not parse is dropped.
 */
import { z } from 'zod';
import { QUEUE_ORDERS } from './core/auditQueue.js';
import {
  AuditEventSchema,
  JudgementSchema,
  RerankPickSchema,
  RUN_STATUSES,
  RunSchema,
  SampleSchema,
} from './core/schemas.js';

/** A message parser: the message when it parses, undefined (to be dropped) when it does not. */
function parserFor<T>(schema: z.ZodType<T>): (value: unknown) => T | undefined {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
}

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
  /**
   * The shown run's labels, read again from its audit log after they changed elsewhere (the queue,
   * another window, an import): they replace the labels shown; the view and its undo history stay.
   */
  z.object({ type: z.literal('run/labels'), runId: z.string(), events: z.array(AuditEventSchema) }),
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

export const parseHostMessage: (value: unknown) => HostMessage | undefined = parserFor(HostMessageSchema);

export const parseWebviewMessage: (value: unknown) => WebviewMessage | undefined =
  parserFor(WebviewMessageSchema);

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
  disagreements: z.number().int().min(0).nullable(),
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

export const parseReportHostMessage: (value: unknown) => ReportHostMessage | undefined =
  parserFor(ReportHostMessageSchema);

export const parseReportWebviewMessage: (value: unknown) => ReportWebviewMessage | undefined =
  parserFor(ReportWebviewMessageSchema);

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

export const parseAdjudicateHostMessage: (value: unknown) => AdjudicateHostMessage | undefined =
  parserFor(AdjudicateHostMessageSchema);

export const parseAdjudicateWebviewMessage: (value: unknown) => AdjudicateWebviewMessage | undefined =
  parserFor(AdjudicateWebviewMessageSchema);

// ---------------------------------------------------------------------------------------------
// The Audit Queue view (src/host/auditQueueView.ts ↔ webview/queue/)

const QueueVerdictSchema = z.object({
  scores: z.array(z.number().min(0).max(1).nullable()),
  firstError: z.number().int().min(-1),
  threshold: z.number().min(0).max(1),
});

/** src/core/auditQueue.ts's QueueRun: a run cut down to what the queue shows. */
export const QueueRunSchema = z.object({
  id: z.string(),
  problem: z.string(),
  reference: z.string().nullable(),
  subset: z.string().optional(),
  samples: z.array(
    z.object({
      index: z.number().int().min(0),
      steps: z.array(z.string()),
      answer: z.string().nullable(),
      correct: z.boolean().optional(),
      verdicts: z.record(z.string(), QueueVerdictSchema.nullable()),
    }),
  ),
});

/** src/core/auditQueue.ts's QueueItem. */
export const QueueItemSchema = z.object({
  key: z.string(),
  run: z.string(),
  sample: z.number().int().min(0),
  step: z.number().int().min(0),
  subset: z.string().optional(),
  prm: z.string(),
  prms: z.array(z.string()),
  firstErrorMismatch: z.boolean(),
  strength: z.number().min(0),
});

/** src/core/auditQueue.ts's QueueNote: another annotator's note on a step. */
export const QueueNoteSchema = z.object({
  sample: z.number().int().min(0),
  step: z.number().int().min(0),
  annotator: z.string(),
  text: z.string(),
  adjudicated: z.boolean().optional(),
});

/** What the person chose: kept per dataset and annotator, so the queue reopens where they left it. */
export const QueuePositionSchema = z.object({
  /** The item shown last. */
  key: z.string().max(2000).optional(),
  unlabelledOnly: z.boolean(),
  prm: z.string().max(200).optional(),
  subset: z.string().max(1000).optional(),
  /** Default: strength (src/core/auditQueue.ts). */
  order: z.enum(QUEUE_ORDERS).optional(),
});
export type QueuePosition = z.infer<typeof QueuePositionSchema>;

export const QueueSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataset'), folder: z.string().max(4000) }),
  z.object({ kind: z.literal('workspaceRuns') }),
]);
export type QueueSourceRef = z.infer<typeof QueueSourceSchema>;

export const QueueHostMessageSchema = z.discriminatedUnion('type', [
  /** The queue, sent after `ready` and again after a filter changes. */
  z.object({
    type: z.literal('queue/show'),
    /** The dataset folder's name (or "open runs"). */
    dataset: z.string(),
    annotator: z.string(),
    items: z.array(QueueItemSchema),
    /** The runs of the items near where the page will start; the others on `queue/needRuns`. */
    runs: z.array(QueueRunSchema),
    /** Per run id: the current annotator's audit events (their labels are the replay). */
    events: z.record(z.string(), z.array(AuditEventSchema)),
    /**
     * Per run id: the notes others (other annotators, adjudication) left on its steps; the current
     * annotator's own are in `events`. Absent: none.
     */
    notes: z.record(z.string(), z.array(QueueNoteSchema)).optional(),
    /** Every other annotator's labelled count of these items. */
    others: z.array(z.object({ annotator: z.string(), labelled: z.number().int().min(0) })),
    /** What the filters offer. */
    choices: z.object({ prms: z.array(z.string()), subsets: z.array(z.string()) }),
    position: QueuePositionSchema,
    rubric: z.object({ text: z.string(), source: z.string() }),
    /** What the queue is of: kept in the page's state, so a window reload reopens the same queue. */
    source: QueueSourceSchema,
  }),
  /** Runs the page asked for (`queue/needRuns`): a dataset's thousands of steps are not sent at once. */
  z.object({ type: z.literal('queue/runs'), runs: z.array(QueueRunSchema) }),
  /** The answer to each `queue/label`, once the event is in the run's audit log (or could not be). */
  z.object({ type: z.literal('queue/saved'), runId: z.string(), requestId: RequestIdSchema }),
  z.object({
    type: z.literal('queue/failed'),
    runId: z.string(),
    requestId: RequestIdSchema,
    message: z.string(),
  }),
  z.object({ type: z.literal('queue/empty'), message: z.string() }),
]);
export type QueueHostMessage = z.infer<typeof QueueHostMessageSchema>;

export const QueueWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** One label change, for the run's audit log; answered by `queue/saved` or `queue/failed`. */
  z.object({
    type: z.literal('queue/label'),
    runId: z.string().min(1),
    requestId: RequestIdSchema,
    event: AuditEventSchema,
  }),
  /** The runs of the items about to be shown, by id; answered by `queue/runs`. */
  z.object({ type: z.literal('queue/needRuns'), ids: z.array(z.string().max(1000)).max(100) }),
  /** The item shown now and the filters: remembered for the next time the queue opens. */
  z.object({ type: z.literal('queue/position'), position: QueuePositionSchema }),
  /** Another PRM or subset: the host builds the queue again and sends it. */
  z.object({ type: z.literal('queue/filter'), position: QueuePositionSchema }),
  /** Open the item's run in the StepLens panel at its sample and step. */
  z.object({
    type: z.literal('queue/openRun'),
    runId: z.string().min(1),
    sample: z.number().int().min(0),
    step: z.number().int().min(0),
    prm: z.string().optional(),
  }),
  z.object({ type: z.literal('log/error'), message: z.string().max(2000) }),
]);
export type QueueWebviewMessage = z.infer<typeof QueueWebviewMessageSchema>;

export const parseQueueHostMessage: (value: unknown) => QueueHostMessage | undefined =
  parserFor(QueueHostMessageSchema);

export const parseQueueWebviewMessage: (value: unknown) => QueueWebviewMessage | undefined =
  parserFor(QueueWebviewMessageSchema);
