/**
 * The audit queue page's state, pure (no DOM): the queue from the host, the person's labels, where
 * they are, what is not saved yet. Keys become actions (keys.ts), actions become label changes and
 * moves, and the changes go to the host as `queue/label` messages; a label counts as saved only
 * once the host says the run's audit log has it. A save that fails brings the person back to its
 * item with the reason, never silently behind them.
 */
import {
  type AuditChange,
  type AuditLabels,
  applyAuditEvent,
  inverseOf,
  replayAudit,
  stampEvent,
} from '../../src/core/audit.js';
import {
  isLabelled,
  type LabelsOf,
  nextIndex,
  type QueueItem,
  type QueueNote,
  type QueueOrder,
  type QueueRun,
  resumeIndex,
} from '../../src/core/auditQueue.js';
import { labelConflictSentence, labelConflicts } from '../../src/core/labelConflicts.js';
import { type AuditEvent, AuditEventSchema } from '../../src/core/schemas.js';
import type { QueueHostMessage, QueuePosition, QueueWebviewMessage, RequestId } from '../../src/protocol.js';
import { describeLabel, labelKeys, SaveTracker, type UnsavedLabel } from '../saves.js';

export type QueueAction =
  | { kind: 'rate'; rating: -1 | 0 | 1 }
  | { kind: 'firstErrorHere' }
  | { kind: 'noError' }
  | { kind: 'who'; who: 'self' | 'prm' | 'both' | 'neither' }
  | { kind: 'undo' }
  | { kind: 'skip' }
  | { kind: 'back' }
  /** `via: 'click'`: the checkbox (or the rubric's heading) clicked, which acts while a note is open. */
  | { kind: 'unlabelledOnly'; via?: 'click' }
  | { kind: 'openRun' }
  | { kind: 'rubric'; via?: 'click' }
  | { kind: 'help' }
  | { kind: 'escape' }
  | { kind: 'retry' }
  | { kind: 'filter'; prm?: string; subset?: string }
  | { kind: 'order'; order: QueueOrder }
  | { kind: 'toggleOrder' }
  | { kind: 'note' }
  | { kind: 'noteInput'; text: string }
  | { kind: 'noteSave' }
  | { kind: 'noteCancel' };

/** The kinds a key can do (keys.ts): while a note is being written, keys are its text, not these. */
const KEY_KINDS = new Set<QueueAction['kind']>([
  'rate',
  'firstErrorHere',
  'noError',
  'who',
  'undo',
  'skip',
  'back',
  'unlabelledOnly',
  'toggleOrder',
  'openRun',
  'rubric',
  'help',
]);

/** The note being written on a step from the queue, and its text so far (a redraw keeps it). */
export interface QueueNoteDraft {
  run: string;
  sample: number;
  step: number;
  text: string;
}

/** What was said on an item's step: the person's own note (unsaved edits included) and everyone else's. */
export interface StepNotes {
  own?: string;
  /** Whether the own note (or its removal) is on disk: saved, saving or failed with a reason. */
  ownSave?: UnsavedLabel;
  others: QueueNote[];
}

export interface QueueEffects {
  post: QueueWebviewMessage[];
  render: boolean;
}

interface Undo {
  /** The changes that put the labels back. */
  changes: AuditChange[];
  run: string;
  /** The item the label was made on: undo goes back there. */
  key: string;
}

/**
 * What the page keeps with the webview's state (setState): VS Code drops a hidden queue's page and
 * loads it again, and the page that replaces it takes this back. The host keeps the filters and a
 * position per dataset, but that position resumes at the first unlabelled item from there; these
 * are what only the page knew: the exact item shown, back and undo, the note half written.
 */
export interface SavedQueue {
  /** Whose they are: another annotator's queue takes none of them. */
  annotator: string;
  key?: string;
  note?: QueueNoteDraft;
  history?: string[];
  undo?: Undo[];
  rubricOpen?: boolean;
  lastAction?: string;
}

/** Back and undo kept with the state: the last ones, so a long session's save stays small. */
export const SAVED_KEPT = 50;
const LAST_ACTION_MAX = 1000;

const isString = (value: unknown): value is string => typeof value === 'string';
const isIndex = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** An undo's change as the audit log's schema takes it (stamped, then the stamp taken off), or nothing. */
function savedChange(raw: unknown): AuditChange | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const parsed = AuditEventSchema.safeParse(stampEvent(raw as AuditChange));
  if (!parsed.success) return undefined;
  const { schemaVersion: _version, at: _at, ...change } = parsed.data;
  return change as AuditChange;
}

/**
 * The saved state read back, shape-checked: the page's own, but a page of an older version (or a
 * state cut short) may have left anything there. What does not fit is left out, not guessed at.
 */
export function parseSavedQueue(raw: unknown): SavedQueue | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const saved = raw as Record<string, unknown>;
  if (!isString(saved.annotator)) return undefined;
  const out: SavedQueue = { annotator: saved.annotator };
  if (isString(saved.key)) out.key = saved.key;
  const note = saved.note as Record<string, unknown> | null | undefined;
  if (
    typeof note === 'object' &&
    note !== null &&
    isString(note.run) &&
    isIndex(note.sample) &&
    isIndex(note.step) &&
    isString(note.text)
  )
    out.note = { run: note.run, sample: note.sample, step: note.step, text: note.text };
  if (Array.isArray(saved.history)) out.history = saved.history.filter(isString).slice(-SAVED_KEPT);
  if (Array.isArray(saved.undo)) {
    const undo: Undo[] = [];
    for (const entry of saved.undo.slice(-SAVED_KEPT) as Partial<Record<keyof Undo, unknown>>[]) {
      if (typeof entry !== 'object' || entry === null || !isString(entry.run) || !isString(entry.key))
        continue;
      if (!Array.isArray(entry.changes)) continue;
      const changes = entry.changes.map(savedChange);
      if (changes.length > 0 && changes.every((change) => change !== undefined))
        undo.push({ changes: changes as AuditChange[], run: entry.run, key: entry.key });
    }
    out.undo = undo;
  }
  if (typeof saved.rubricOpen === 'boolean') out.rubricOpen = saved.rubricOpen;
  if (isString(saved.lastAction)) out.lastAction = saved.lastAction.slice(0, LAST_ACTION_MAX);
  return out;
}

export interface ShownFailure extends UnsavedLabel {
  run: string;
  text: string;
}

export class QueueState {
  dataset = '';
  annotator = '';
  items: QueueItem[] = [];
  runs = new Map<string, QueueRun>();
  /** The current annotator's labels, per run. */
  labels = new Map<string, AuditLabels>();
  others: { annotator: string; labelled: number }[] = [];
  /** Per run: the step notes of other annotators and of adjudication (the person's own are in labels). */
  notes = new Map<string, QueueNote[]>();
  /** The note being written, if one is. */
  note: QueueNoteDraft | null = null;
  choices: { prms: string[]; subsets: string[] } = { prms: [], subsets: [] };
  position: QueuePosition = { unlabelledOnly: true };
  rubric = { text: '', source: '' };
  /** The item shown; undefined with items: nothing left to label (or the end of the queue). */
  index: number | undefined;
  emptyMessage: string | null = null;
  loaded = false;
  helpOpen = false;
  rubricOpen: boolean | undefined;
  /** What the last key did, in words, so a label typed fast is seen (and undone if wrong). */
  lastAction = '';
  /** Items shown before, for back. */
  /** Keys, not positions: a queue sent again (read afresh, filtered) may hold other items. */
  private history: string[] = [];
  private undoStack: Undo[] = [];
  /** One tracker per run: label keys name a sample and step, not the run. */
  private readonly trackers = new Map<string, SaveTracker>();
  /** Runs asked of the host and not here yet: asked once. */
  private readonly requested = new Set<string>();
  private readonly pageId: string;
  private trackerCount = 0;
  /** What the page this one replaces saved, until the first queue shown takes it. */
  private restoring: SavedQueue | undefined;

  /** `saved`: what an earlier page of this queue saved (saved()), unchecked: it is checked here. */
  constructor(pageId: string, saved?: unknown) {
    this.pageId = pageId;
    this.restoring = parseSavedQueue(saved);
  }

  /**
   * What to keep with the webview's state, read back by the page that replaces this one. Small
   * (back and undo cut to the last ones), as it is saved on every key, a note's too.
   */
  saved(): SavedQueue | undefined {
    // Not shown a queue yet: what the page before saved stays saved, should this page go as well.
    if (this.restoring) return this.restoring;
    if (!this.loaded || this.annotator === '') return undefined;
    const key = this.current()?.key;
    return {
      annotator: this.annotator,
      ...(key !== undefined ? { key } : {}),
      ...(this.note ? { note: { ...this.note } } : {}),
      ...(this.history.length > 0 ? { history: this.history.slice(-SAVED_KEPT) } : {}),
      ...(this.undoStack.length > 0 ? { undo: this.undoStack.slice(-SAVED_KEPT) } : {}),
      ...(this.rubricOpen !== undefined ? { rubricOpen: this.rubricOpen } : {}),
      ...(this.lastAction !== '' ? { lastAction: this.lastAction } : {}),
    };
  }

  readonly labelsOf: LabelsOf = (run) => this.labels.get(run);

  current(): QueueItem | undefined {
    return this.index === undefined ? undefined : this.items[this.index];
  }

  currentRun(): QueueRun | undefined {
    const item = this.current();
    return item && this.runs.get(item.run);
  }

  private tracker(run: string): SaveTracker {
    let tracker = this.trackers.get(run);
    if (!tracker) {
      // A fresh prefix per tracker ever made: an answer to an old tracker's request never meets a new one's.
      tracker = new SaveTracker(`${this.pageId}.${++this.trackerCount}`);
      this.trackers.set(run, tracker);
    }
    return tracker;
  }

  /** The unsaved label that decides whether `item` is labelled: its rating's, else its sample's first error's. */
  unsavedOf(item: QueueItem): UnsavedLabel | undefined {
    const tracker = this.trackers.get(item.run);
    if (!tracker) return undefined;
    const labels = this.labels.get(item.run)?.[item.sample];
    if (labels?.steps[item.step]?.rating !== undefined)
      return tracker.state(labelKeys.rating(item.sample, item.step));
    if (labels?.firstError !== undefined) return tracker.state(labelKeys.firstError(item.sample));
    return undefined;
  }

  /** The notes on `item`'s step. */
  notesOn(item: QueueItem): StepNotes {
    const own = this.labels.get(item.run)?.[item.sample]?.steps[item.step]?.note;
    const ownSave = this.trackers.get(item.run)?.state(labelKeys.note(item.sample, item.step));
    const others = (this.notes.get(item.run) ?? []).filter(
      (note) => note.sample === item.sample && note.step === item.step,
    );
    return { ...(own !== undefined ? { own } : {}), ...(ownSave ? { ownSave } : {}), others };
  }

  /** Whether notes are named: more than one person labels these runs, or someone else wrote one. */
  severalAnnotators(): boolean {
    return (
      this.others.some((other) => other.annotator !== this.annotator) ||
      [...this.notes.values()].some((notes) => notes.length > 0)
    );
  }

  /** The draft, when it is of the item shown. */
  noteDraftOf(item: QueueItem | undefined): QueueNoteDraft | null {
    const note = this.note;
    return note && item && note.run === item.run && note.sample === item.sample && note.step === item.step
      ? note
      : null;
  }

  /** Labelled items whose label is on disk (the progress bar counts only these). */
  savedLabelled(): number {
    return this.items.filter((item) => isLabelled(this.labels.get(item.run), item) && !this.unsavedOf(item))
      .length;
  }

  /** Whether the order can change anything: the items are of more than one run. */
  reorderable(): boolean {
    return new Set(this.items.map((item) => item.run)).size > 1;
  }

  pendingCount(): number {
    let count = 0;
    for (const tracker of this.trackers.values())
      count += tracker.unsavedEvents().length - tracker.failures().length;
    return count;
  }

  failures(): ShownFailure[] {
    return [...this.trackers.entries()].flatMap(([run, tracker]) =>
      tracker.failures().map((label) => ({ ...label, run, text: `${run}, ${describeLabel(label.event)}` })),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Host messages

  receive(message: QueueHostMessage): QueueEffects {
    const effects: QueueEffects = { post: [], render: true };
    switch (message.type) {
      case 'queue/show': {
        const switched = this.annotator !== '' && message.annotator !== this.annotator;
        // Another annotator: the labels, saves in flight and the place in the queue were the other's.
        if (switched) {
          this.trackers.clear();
          this.note = null;
          this.lastAction = `Now labelling as ${message.annotator}`;
        }
        // The first queue of a page loaded again: back to where the page before it was (its annotator's).
        const restored = this.restoring?.annotator === message.annotator ? this.restoring : undefined;
        this.restoring = undefined;
        const shownKey = switched ? undefined : (this.current()?.key ?? restored?.key);
        this.loaded = true;
        this.emptyMessage = null;
        this.dataset = message.dataset;
        this.annotator = message.annotator;
        this.items = message.items;
        // Runs sent before stay: the same runs, and a re-read queue need not send them again.
        for (const run of message.runs) this.runs.set(run.id, run);
        this.requested.clear();
        this.labels = new Map();
        for (const [run, events] of Object.entries(message.events)) {
          const labels = replayAudit(events);
          // Labels set here and not saved yet stay on screen over the host's copy of the log.
          for (const event of this.trackers.get(run)?.unsavedEvents() ?? []) applyAuditEvent(labels, event);
          this.labels.set(run, labels);
        }
        this.others = message.others;
        this.notes = new Map(Object.entries(message.notes ?? {}));
        this.choices = message.choices;
        this.position = message.position;
        this.rubric = message.rubric;
        // The same person's queue read again keeps back and undo; another person's starts afresh.
        if (switched) {
          this.history = [];
          this.undoStack = [];
        }
        if (restored) {
          this.history = restored.history ?? [];
          this.undoStack = restored.undo ?? [];
          if (restored.rubricOpen !== undefined) this.rubricOpen = restored.rubricOpen;
          this.lastAction = restored.lastAction ?? '';
        }
        // A queue sent again (a filter changed) stays on the item shown when it still holds it.
        const key = shownKey ?? message.position.key;
        this.index = resumeIndex(this.items, key, this.moveOptions());
        if (shownKey !== undefined) {
          const same = this.items.findIndex((item) => item.key === shownKey);
          if (same >= 0) this.index = same;
        }
        if (restored?.note) this.note = restored.note;
        // A note half written stays while its item is shown (another window's save redraws the page).
        if (!this.noteDraftOf(this.current())) this.note = null;
        effects.post.push(this.positionMessage());
        break;
      }
      case 'queue/runs':
        for (const run of message.runs) {
          this.runs.set(run.id, run);
          this.requested.delete(run.id);
        }
        break;
      case 'queue/saved':
        this.trackers.get(message.runId)?.saved(message.requestId);
        break;
      case 'queue/failed': {
        const changed = this.trackers.get(message.runId)?.failed(message.requestId, message.message);
        if (changed !== undefined) this.showFailure(message.runId, message.requestId);
        break;
      }
      case 'queue/empty':
        this.note = null;
        this.emptyMessage = message.message;
        this.loaded = true;
        this.items = [];
        this.index = undefined;
        break;
    }
    this.prefetch(effects);
    return effects;
  }

  /** How many items ahead the page asks for runs, so the next items show at once. */
  static readonly AHEAD = 8;

  /**
   * Asks the host for the runs of the shown item and the next few it would show (and the one back
   * would show), so moving on never waits; each run is asked for once.
   */
  private prefetch(effects: QueueEffects): void {
    if (this.items.length === 0) return;
    const wanted: string[] = [];
    const want = (at: number | undefined) => {
      const item = at === undefined ? undefined : this.items[at];
      if (!item) return;
      const have = this.runs.get(item.run)?.samples.some((sample) => sample.index === item.sample);
      if (!have && !this.requested.has(item.run) && !wanted.includes(item.run)) wanted.push(item.run);
    };
    want(this.index);
    let at = this.index ?? -1;
    for (let n = 0; n < QueueState.AHEAD; n++) {
      const next = nextIndex(this.items, at, this.moveOptions());
      if (next === undefined || next <= at) break;
      want(next);
      at = next;
    }
    want(this.index === undefined ? undefined : this.index + 1);
    if (wanted.length === 0) return;
    for (const run of wanted) this.requested.add(run);
    effects.post.push({ type: 'queue/needRuns', ids: wanted });
  }

  /** Back to the item whose label could not be saved: the person sees it and the reason. */
  private showFailure(run: string, requestId: RequestId): void {
    const failure = this.failures().find((label) => label.run === run && label.requestId === requestId);
    if (!failure) return;
    const event = failure.event;
    const step =
      'step' in event && typeof event.step === 'number' && event.type !== 'firstError'
        ? event.step
        : undefined;
    const at = this.items.findIndex(
      (item) =>
        item.run === run && item.sample === event.sample && (step === undefined || item.step === step),
    );
    if (at >= 0 && at !== this.index) this.goTo(at);
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  moveOptions() {
    return { unlabelledOnly: this.position.unlabelledOnly, labelsOf: this.labelsOf };
  }

  apply(action: QueueAction): QueueEffects {
    const effects: QueueEffects = { post: [], render: true };
    // While a note is being written its keys are text: no key acts but m (back to the field) and
    // Esc. A click is no typing: it acts, and the redrawn page puts the keys back in the field
    // (swallowed, the checkbox showed a state the queue was not in).
    const clicked = 'via' in action && action.via === 'click';
    if (this.note && KEY_KINDS.has(action.kind) && !clicked) return { post: [], render: false };
    const item = this.current();
    const where = item ? `${item.run} · sample ${item.sample} · step ${item.step}` : '';
    switch (action.kind) {
      case 'rate': {
        if (!item) break;
        const tracker = this.tracker(item.run);
        const now = this.labels.get(item.run)?.[item.sample]?.steps[item.step]?.rating;
        const failed = tracker.state(labelKeys.rating(item.sample, item.step))?.status === 'failed';
        this.lastAction = `${where}: ${action.rating === 1 ? '+1' : action.rating === -1 ? '−1' : '0'} (u undoes)`;
        if (now !== action.rating || failed)
          this.record(
            item,
            [{ type: 'stepRating', sample: item.sample, step: item.step, rating: action.rating }],
            effects,
          );
        this.sayConflicts(item);
        this.advance(effects);
        break;
      }
      case 'firstErrorHere':
      case 'noError': {
        if (!item) break;
        const step = action.kind === 'noError' ? -1 : item.step;
        const now = this.labels.get(item.run)?.[item.sample]?.firstError;
        const failed = this.tracker(item.run).state(labelKeys.firstError(item.sample))?.status === 'failed';
        this.lastAction =
          step === -1
            ? `${where}: the sample has no error (u undoes)`
            : `${where}: first error of its sample (u undoes)`;
        if (now !== step || failed)
          this.record(item, [{ type: 'firstError', sample: item.sample, step }], effects);
        this.sayConflicts(item);
        this.advance(effects, true);
        break;
      }
      case 'who': {
        if (!item) break;
        const now = this.labels.get(item.run)?.[item.sample]?.steps[item.step]?.who?.[item.prm];
        this.record(
          item,
          [
            {
              type: 'whoWasRight',
              sample: item.sample,
              step: item.step,
              judge: item.prm,
              who: now === action.who ? null : action.who,
            },
          ],
          effects,
        );
        break;
      }
      case 'undo': {
        const undo = this.undoStack.pop();
        if (!undo) break;
        const at = this.items.findIndex((candidate) => candidate.key === undo.key);
        const target = this.items[at];
        if (!target) break;
        this.record(target, undo.changes, effects, false);
        this.lastAction = `Undone: ${target.run} · sample ${target.sample} · step ${target.step}`;
        this.sayConflicts(target);
        this.goTo(at);
        effects.post.push(this.positionMessage());
        break;
      }
      case 'skip':
        this.lastAction = item ? `Skipped ${where}` : '';
        this.advance(effects);
        break;
      case 'back': {
        let previous: number | undefined;
        while (previous === undefined && this.history.length > 0) {
          const key = this.history.pop();
          const at = this.items.findIndex((candidate) => candidate.key === key);
          if (at >= 0) previous = at;
        }
        if (previous !== undefined) this.index = previous;
        else if (this.index !== undefined && this.index > 0) this.index -= 1;
        else if (this.index === undefined && this.items.length > 0) this.index = this.items.length - 1;
        effects.post.push(this.positionMessage());
        break;
      }
      case 'unlabelledOnly': {
        this.position = { ...this.position, unlabelledOnly: !this.position.unlabelledOnly };
        if (this.index === undefined) this.index = nextIndex(this.items, -1, this.moveOptions());
        effects.post.push(this.positionMessage());
        break;
      }
      case 'filter': {
        const { prm, subset } = action;
        const { prm: _p, subset: _s, ...rest } = this.position;
        this.position = {
          ...rest,
          ...(prm !== undefined ? { prm } : {}),
          ...(subset !== undefined ? { subset } : {}),
        };
        effects.post.push({ type: 'queue/filter', position: this.position });
        effects.render = false;
        break;
      }
      case 'order':
      case 'toggleOrder': {
        // One problem's items are together either way: g says so rather than doing nothing seen.
        if (action.kind === 'toggleOrder' && !this.reorderable()) {
          this.lastAction = 'g: every item is of one problem, so the order stays';
          break;
        }
        const order =
          action.kind === 'order' ? action.order : this.position.order === 'problem' ? 'strength' : 'problem';
        // The host orders the queue again; the item shown stays shown (the host resumes at the key).
        this.position = { ...this.position, order, ...(item ? { key: item.key } : {}) };
        effects.post.push({ type: 'queue/filter', position: this.position });
        effects.render = false;
        break;
      }
      case 'openRun':
        if (item)
          effects.post.push({
            type: 'queue/openRun',
            runId: item.run,
            sample: item.sample,
            step: item.step,
            prm: item.prm,
          });
        effects.render = false;
        break;
      case 'retry':
        for (const [run, tracker] of this.trackers)
          for (const label of tracker.failures()) this.post(run, label.event, effects);
        break;
      case 'rubric':
        this.rubricOpen = !(this.rubricOpen ?? true);
        break;
      case 'help':
        this.helpOpen = !this.helpOpen;
        break;
      case 'escape':
        this.helpOpen = false;
        this.note = null;
        break;
      case 'note':
        if (item && !this.noteDraftOf(item)) {
          const text = this.labels.get(item.run)?.[item.sample]?.steps[item.step]?.note ?? '';
          this.note = { run: item.run, sample: item.sample, step: item.step, text };
        }
        break;
      case 'noteInput':
        if (this.note) this.note.text = action.text;
        effects.render = false;
        break;
      case 'noteSave':
        this.saveNote(effects);
        break;
      case 'noteCancel':
        this.note = null;
        break;
    }
    this.prefetch(effects);
    return effects;
  }

  /** The draft to the run's audit log as the panel's note would go (trimmed; unchanged: nothing saved). */
  private saveNote(effects: QueueEffects): void {
    const item = this.current();
    const note = this.noteDraftOf(item);
    this.note = null;
    if (!note || !item) return;
    const text = note.text.trim();
    const now = this.labels.get(item.run)?.[item.sample]?.steps[item.step]?.note ?? '';
    const failed = this.tracker(item.run).state(labelKeys.note(item.sample, item.step))?.status === 'failed';
    if (text === now && !failed) return;
    const where = `${item.run} · sample ${item.sample} · step ${item.step}`;
    this.lastAction = `${where}: ${text === '' ? 'note removed' : 'note'} (u undoes)`;
    this.record(item, [{ type: 'note', sample: item.sample, step: item.step, text }], effects);
  }

  /**
   * A label just set (or undone) that leaves the sample's first-error mark and ratings contradicting
   * each other is said in the status line, in the panel's words: the queue moves on at once, and the
   * exports leave such a sample out, so a silent one would be lost from them unnoticed.
   */
  private sayConflicts(item: QueueItem): void {
    const sentence = labelConflictSentence(labelConflicts(this.labels.get(item.run)?.[item.sample]));
    if (sentence) this.lastAction += `. ${sentence}`;
  }

  private goTo(at: number): void {
    const shown = this.current();
    if (shown && this.index !== at) this.history.push(shown.key);
    this.index = at;
  }

  /** To the next item wanted (after `e`, the next sample's); past the last, the "done" view. */
  private advance(effects: QueueEffects, otherSample = false): void {
    const from = this.index ?? -1;
    const next = nextIndex(this.items, from, { ...this.moveOptions(), otherSample });
    const shown = this.current();
    if (shown) this.history.push(shown.key);
    this.index = next;
    effects.post.push(this.positionMessage());
  }

  private record(item: QueueItem, changes: AuditChange[], effects: QueueEffects, undoable = true): void {
    const labels = this.labels.get(item.run) ?? {};
    this.labels.set(item.run, labels);
    const inverse = changes.map((change) => inverseOf(labels, change)).reverse();
    for (const change of changes) {
      const event = stampEvent(change);
      applyAuditEvent(labels, event);
      this.post(item.run, event, effects);
    }
    if (undoable) this.undoStack.push({ changes: inverse, run: item.run, key: item.key });
  }

  private post(run: string, event: AuditEvent, effects: QueueEffects): void {
    effects.post.push({ type: 'queue/label', runId: run, requestId: this.tracker(run).begin(event), event });
  }

  positionMessage(): QueueWebviewMessage {
    const key = this.current()?.key;
    return { type: 'queue/position', position: { ...this.position, ...(key !== undefined ? { key } : {}) } };
  }
}
