/**
 * The panel's state and everything that changes it, with no DOM: host messages (a run shown, live
 * deltas through core's applyLiveUpdate, save answers), navigation, labelling with undo, the note
 * being written, the help. Each change returns its Effects: the messages to post to the host and
 * which parts of the page to redraw. The controller (app.ts) posts and draws; views read the state.
 * Pure apart from the clock in each label's time stamp, so it is unit-tested in Node.
 */
import {
  type AuditChange,
  type AuditLabels,
  applyAuditEvent,
  inverseOf,
  replayAudit,
  stampEvent,
} from '../src/core/audit.js';
import { applyLiveUpdate } from '../src/core/live.js';
import type { AuditEvent, Run, Sample } from '../src/core/schemas.js';
import type { HostMessage, PanelFocus, SkippedLines, WebviewMessage } from '../src/protocol.js';
import {
  countMatches,
  firstMatchFrom,
  hasFilters,
  indexMatches,
  prepareSearch,
  type SampleFilters,
  type SampleSort,
  type SearchMatch,
  searchable,
  shownSamples,
  stepKey,
  TRACE,
} from './browse.js';
import { KEYMAP, type KeyAction } from './keys.js';
import { goldSample, prmJudges, type SampleSummary, summarize, tableJudges } from './model.js';
import { labelKey, SaveTracker } from './saves.js';

/** What the panel remembers across reloads (VS Code's webview state). */
export interface ViewState {
  sample: number;
  step: number;
  onlyDisagreements: boolean;
  prm?: string;
  /** Which samples the list shows, and in what order (browse.ts). */
  filters?: SampleFilters;
  sort?: SampleSort;
}

/**
 * What the page saves with VS Code's setState, so that a page VS Code drops (its panel hidden
 * behind another tab, or the window reloaded) comes back where the person was: the view, the run it
 * belongs to, the search, the note being written, the last host focus gone to.
 */
export interface SavedView extends ViewState {
  runId?: string;
  query?: string;
  note?: NoteDraft;
  /** The last `run/show` focus (Dataset Report, queue) gone to: not gone to again on a reload. */
  focusId?: number;
  /** What u undoes, the last UNDO_KEPT labels' inverses: a panel shown again still undoes them. */
  undo?: AuditChange[][];
}

/** Labels whose undo outlives a reload of the page (each is a few dozen bytes of saved state). */
const UNDO_KEPT = 50;

/** The text search over the open run's steps. */
export interface SearchState {
  query: string;
  /** Occurrences in the shown samples, in the list's order. */
  matches: SearchMatch[];
  /** The match gone to, an index into `matches`; −1 when there is none. */
  current: number;
  /** Occurrences in samples the filters hide (not gone to; the count says they are there). */
  hidden: number;
  /** The shown samples that hold a match. */
  samples: Set<number>;
  /** The matches of each step, [first, end) in `matches` (they come a step at a time), by stepKey. */
  byStep: Map<number, [number, number]>;
}

function emptySearch(query = ''): SearchState {
  return { query, matches: [], current: -1, hidden: 0, samples: new Set(), byStep: new Map() };
}

export interface Progress {
  sampled: number;
  sampleTotal: number;
  judged: number;
  judgeTotal: number;
}

/** The note being written: which step, and the text so far (kept here, so a redraw keeps it). */
export interface NoteDraft {
  sample: number;
  step: number;
  text: string;
}

/** Everything a person (keys, clicks) or the page can ask of the state. */
export type PanelAction =
  | KeyAction
  | { kind: 'selectSample'; sample: number }
  | { kind: 'selectStep'; step: number; scroll?: boolean }
  | { kind: 'setFilter'; only: boolean }
  | { kind: 'setPrm'; prm: string }
  | { kind: 'noteInput'; text: string }
  | { kind: 'noteSave' }
  | { kind: 'noteCancel' }
  | { kind: 'dismissSkipped' }
  | { kind: 'retrySaves' }
  | { kind: 'search'; query: string }
  | { kind: 'searchClear' }
  | { kind: 'setFilters'; filters: SampleFilters }
  | { kind: 'setSort'; sort: SampleSort | undefined };

/** Parts of the page a change may leave out of date. */
export type Part =
  | 'empty'
  | 'status'
  | 'saveNotice'
  | 'header'
  | 'answers'
  | 'samplesHead'
  | 'samples'
  | 'stepsHead'
  | 'steps'
  | 'help'
  /** The search box's count and the samples' filters. */
  | 'browse'
  /** The search box's count alone. */
  | 'searchCount'
  /** The search's marks in the rows on screen, steps and samples, redrawn in place. */
  | 'searchMarks'
  /** The search box's text, set from the state (a new run clears it). */
  | 'searchField';

export interface Effects {
  post: WebviewMessage[];
  /** Parts to redraw whole. */
  parts: Set<Part>;
  /** Sample rows to redraw, by sample index. */
  sampleRows: Set<number>;
  /** Step rows of the shown sample to redraw, by step index. */
  stepRows: Set<number>;
  /** Labels whose saved / unsaved marks to repaint where they are, by label key. */
  marks: Set<string>;
  /** Bring the selected sample row / step row into view. */
  scrollSample: boolean;
  scrollStep: boolean;
  /** The view (sample, step, filter, PRM) changed: remember it. */
  saveView: boolean;
  /** A whole new run is shown: the lists are laid out after the summary is painted. */
  fullRender: boolean;
  /** The run shown is the one the saved view belongs to (a page reloaded): back to where it was. */
  restored: boolean;
  /** Why the action did nothing, to be said where the person is reading (f on an agreeing sample). */
  refused?: string;
  /** Where the keyboard focus is to go. */
  focus?: 'search';
  /** Bring the current search match into view (within its step, which may be tall). */
  scrollMatch: boolean;
}

export function noEffects(): Effects {
  return {
    post: [],
    parts: new Set(),
    sampleRows: new Set(),
    stepRows: new Set(),
    marks: new Set(),
    scrollSample: false,
    scrollStep: false,
    saveView: false,
    fullRender: false,
    restored: false,
    scrollMatch: false,
  };
}

// Stryker disable next-line StringLiteral: record() refuses a read-only run's labels too; only 'note' (no record until saved) needs this early stop
const LABELLING = new Set<PanelAction['kind']>(['rate', 'who', 'firstErrorHere', 'noError', 'note', 'undo']);
/** The labels of the selected step (no error and undo are the sample's and the person's). */
const STEP_LABELLING = new Set<PanelAction['kind']>(['rate', 'who', 'firstErrorHere', 'note']);
/** The actions keys give (keys.ts); the others come from clicks and fields. */
const KEY_KINDS = new Set<PanelAction['kind']>(Object.values(KEYMAP).map((action) => action.kind));

export class PanelState {
  run: Run | null = null;
  labels: AuditLabels = {};
  readOnly = true;
  view: ViewState = { sample: 0, step: 0, onlyDisagreements: false };
  summaries: SampleSummary[] = [];
  /** The samples the list shows (filtered, sorted): what the sample keys and the list move through. */
  shown: SampleSummary[] = [];
  search: SearchState = emptySearch();
  /** The sample that is the dataset's own solution with its gold first error, if the run has one. */
  gold: number | undefined;
  /** The steps of the shown sample the list shows (all, or only the disagreements). */
  visibleSteps: number[] = [];
  progress: Progress | null = null;
  /** Unreadable lines of the shown run's audit log, and the notice the person dismissed. */
  skipped: SkippedLines | undefined;
  skippedDismissed = '';
  /** Shown when there is no run. */
  emptyMessage: string | null = null;
  note: NoteDraft | null = null;
  helpOpen = false;
  /** Labels applied here whose save the host has not confirmed. */
  readonly saves: SaveTracker;
  private undoStack: AuditChange[][] = [];
  /** The run the filters were chosen in: an answer of another run means nothing in this one. */
  private filtersRun: string | undefined;
  /** The last `run/show` focus gone to: each is gone to once. */
  private focusApplied: number | undefined;
  /** What an earlier page of this panel saved, until the first run is shown. */
  private restoring: Partial<SavedView> | undefined;

  /** `pageId` keeps this page's request ids apart from a reloaded predecessor's. */
  constructor(pageId: string, saved?: Partial<SavedView>) {
    this.saves = new SaveTracker(pageId);
    if (saved) {
      // The page's own keys (its scroll) are not the view's.
      const {
        runId,
        query: _query,
        note: _note,
        focusId,
        scroll: _scroll,
        undo: _undo,
        ...view
      } = saved as Partial<SavedView> & {
        scroll?: unknown;
      };
      this.view = { ...this.view, ...view };
      this.filtersRun = runId;
      this.focusApplied = focusId;
      this.restoring = saved;
    }
  }

  /** What to save with setState: read back by the constructor of the page that replaces this one. */
  saved(): SavedView {
    return {
      ...this.view,
      ...(this.run ? { runId: this.run.id } : {}),
      ...(this.search.query !== '' ? { query: this.search.query } : {}),
      ...(this.note ? { note: { ...this.note } } : {}),
      ...(this.focusApplied !== undefined ? { focusId: this.focusApplied } : {}),
      ...(this.undoStack.length > 0 ? { undo: this.undoStack.slice(-UNDO_KEPT) } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** The selected sample, when the list shows it (filters may leave none to select). */
  currentSample(): Sample | undefined {
    return this.currentSummary()?.sample;
  }

  currentSummary(): SampleSummary | undefined {
    return this.shown.find((summary) => summary.sample.index === this.view.sample);
  }

  /** Where a sample is in the list as shown; −1 when the filters hide it. */
  shownPosition(sample: number): number {
    return this.shown.findIndex((summary) => summary.sample.index === sample);
  }

  filters(): SampleFilters {
    return this.view.filters ?? {};
  }

  /** The search's matches in step `step` of sample `sample`, as indices into search.matches. */
  matchesAt(sample: number, step: number): number[] {
    const range = this.search.byStep.get(stepKey(sample, step));
    if (!range) return [];
    return Array.from({ length: range[1] - range[0] }, (_, i) => range[0] + i);
  }

  /** Whether the skipped-lines notice is to be shown. */
  showSkipped(): boolean {
    return this.skipped !== undefined && this.run !== null && this.skippedDismissed !== this.skippedId();
  }

  canLabel(): boolean {
    return this.run !== null && !this.readOnly;
  }

  // -------------------------------------------------------------------------------------------
  // Host messages

  receive(message: HostMessage): Effects {
    const effects = noEffects();
    switch (message.type) {
      case 'run/show':
        this.skipped = message.skipped;
        this.show(message.run, message.events, message.readOnly, effects, message.focus);
        break;
      case 'run/labels': {
        if (!this.run || message.runId !== this.run.id) break;
        this.labels = this.withUnsaved(message.events);
        this.summaries = summarize(this.run, this.labels, this.view.prm);
        this.refreshShown();
        this.computeVisibleSteps();
        effects.parts
          .add('stepsHead')
          .add('steps')
          .add('samplesHead')
          .add('samples')
          .add('answers')
          .add('browse');
        break;
      }
      case 'run/sample': {
        if (!this.run || message.runId !== this.run.id) break;
        this.run = applyLiveUpdate(this.run, message);
        this.samplesChanged(effects, message.sample.index);
        break;
      }
      case 'run/judgement': {
        if (!this.run) break;
        const next = applyLiveUpdate(this.run, message);
        if (next === this.run) break;
        this.run = next;
        this.samplesChanged(effects, message.sample);
        break;
      }
      case 'run/progress':
        if (!this.run || message.runId !== this.run.id) break;
        this.run = applyLiveUpdate(this.run, message);
        this.progress = message.progress;
        effects.parts.add('header');
        break;
      case 'run/finished':
        if (!this.run || message.runId !== this.run.id) break;
        this.run = applyLiveUpdate(this.run, message);
        this.progress = null;
        effects.parts.add('header').add('answers');
        break;
      case 'audit/saved':
        if (!this.run || message.runId !== this.run.id) break;
        this.saveAnswered(this.saves.saved(message.requestId), effects);
        break;
      case 'audit/failed':
        if (!this.run || message.runId !== this.run.id) break;
        this.saveAnswered(this.saves.failed(message.requestId, message.message), effects);
        break;
      case 'view/empty':
        this.run = null;
        this.note = null;
        this.emptyMessage = message.message;
        effects.parts.add('empty');
        break;
    }
    return effects;
  }

  /**
   * The labels of `events` (the log as the host sent it), with the ones set here and not saved yet
   * over them: the log lacks what the host has not saved, and those stay on screen, still marked.
   */
  private withUnsaved(events: readonly AuditEvent[]): AuditLabels {
    const labels = replayAudit(events);
    for (const event of this.saves.unsavedEvents()) applyAuditEvent(labels, event);
    return labels;
  }

  private show(
    run: Run,
    events: readonly AuditEvent[],
    readOnly: boolean,
    effects: Effects,
    focus?: PanelFocus,
  ): void {
    const sameRun = this.run?.id === run.id;
    // The page's first run is the one an earlier page of this panel showed (VS Code dropped that
    // page when the panel was hidden, or the window reloaded): the person goes on where they were.
    const restoring = this.run === null && this.restoring?.runId === run.id ? this.restoring : undefined;
    this.restoring = undefined;
    // Another run's answers concern nothing shown any more.
    if (!sameRun) this.saves.reset();
    const labels = this.withUnsaved(events);
    this.run = { ...run, samples: [...run.samples].sort((a, b) => a.index - b.index) };
    this.labels = labels;
    this.readOnly = readOnly;
    this.emptyMessage = null;
    this.undoStack = [];
    if (!sameRun) this.note = null;
    const prms = prmJudges(run);
    if (this.view.prm === undefined || !prms.includes(this.view.prm)) {
      const { prm: _dropped, ...rest } = this.view;
      this.view = prms[0] === undefined ? rest : { ...rest, prm: prms[0] };
    }
    this.keepBrowsing(run, effects);
    if (!sameRun && !restoring) {
      // Open where the judges disagree first: that is what the panel is for.
      const first = shownSamples(
        this.run,
        summarize(this.run, labels, this.view.prm),
        this.filters(),
        this.view.sort,
      ).find((summary) => summary.disagreement.count > 0);
      const sample = first?.sample ?? this.run.samples[0];
      const step = first ? first.disagreement.steps.indexOf(true) : 0;
      this.view = { ...this.view, sample: sample?.index ?? 0, step };
    }
    const goTo =
      focus && focus.id !== this.focusApplied && this.run.samples.some((s) => s.index === focus.sample)
        ? focus
        : undefined;
    if (goTo) {
      // The Dataset Report opened this run at a sample and step: go there, once per request.
      this.focusApplied = goTo.id;
      const prm = goTo.prm !== undefined && prms.includes(goTo.prm) ? goTo.prm : this.view.prm;
      this.view = { ...this.view, sample: goTo.sample, step: goTo.step, ...(prm ? { prm } : {}) };
      effects.scrollSample = true;
      effects.scrollStep = true;
    }
    if (!this.run.samples.some((sample) => sample.index === this.view.sample))
      this.view.sample = this.run.samples[0]?.index ?? 0;
    this.progress = null;
    this.summaries = summarize(this.run, this.labels, this.view.prm);
    // A sample asked for that the filters would hide: show every sample.
    if (
      goTo &&
      !shownSamples(this.run, this.summaries, this.filters(), undefined).some(
        (s) => s.sample.index === goTo.sample,
      )
    ) {
      const { filters: _dropped, ...rest } = this.view;
      this.view = rest;
    }
    this.refreshShown();
    this.gold = goldSample(this.run);
    // A step asked for that the disagreement filter would hide: show every step.
    if (goTo && this.view.onlyDisagreements && !this.currentSummary()?.disagreement.steps[goTo.step])
      this.view.onlyDisagreements = false;
    this.computeVisibleSteps();
    if (restoring && !goTo) this.restore(restoring, effects);
    this.refreshSearch(sameRun);
    effects.saveView = true;
    effects.fullRender = true;
  }

  /** The search and the note an earlier page of this panel had, where they still apply. */
  private restore(saved: Partial<SavedView>, effects: Effects): void {
    effects.restored = true;
    if (typeof saved.query === 'string' && saved.query !== '') {
      this.search = emptySearch(saved.query);
      effects.parts.add('searchField');
    }
    // The host validates every event the page sends, an undone one too: a malformed change is refused there.
    if (!this.readOnly && Array.isArray(saved.undo))
      this.undoStack = saved.undo.filter(
        (changes) =>
          Array.isArray(changes) &&
          changes.every((change) => typeof change?.type === 'string' && typeof change.sample === 'number'),
      );
    const note = saved.note;
    // A run shown read-only takes no note: a draft brought back would be thrown away on Enter.
    if (
      !this.readOnly &&
      note &&
      typeof note.text === 'string' &&
      note.sample === this.view.sample &&
      note.step === this.view.step &&
      this.visibleSteps.includes(note.step)
    )
      this.note = { sample: note.sample, step: note.step, text: note.text };
  }

  /**
   * Filters and order are the run's own: another run starts with every sample (and no search), in
   * the same order if its judges allow. A PRM the run lacks is nobody's verdict or score.
   */
  private keepBrowsing(run: Run, effects: Effects): void {
    const judges = tableJudges(run);
    if (this.filtersRun !== run.id) {
      this.filtersRun = run.id;
      const { filters: _filters, ...rest } = this.view;
      this.view = rest;
      if (this.search.query !== '') {
        this.search = emptySearch();
        effects.parts.add('searchField');
      }
    }
    const verdict = this.view.filters?.verdict;
    if (verdict && !judges.includes(verdict.judge)) {
      const { verdict: _verdict, ...filters } = this.view.filters!;
      this.view.filters = filters;
    }
    if (this.view.sort && !judges.includes(this.view.sort.judge)) {
      const { sort: _sort, ...rest } = this.view;
      this.view = rest;
    }
  }

  /**
   * The list as the filters and order make it. The selected sample stays selected while shown;
   * else the first shown is. Returns whether the selection moved.
   */
  private refreshShown(): boolean {
    const run = this.run;
    if (!run) return false;
    this.shown = shownSamples(run, this.summaries, this.filters(), this.view.sort);
    if (this.shown.length === 0 || this.shownPosition(this.view.sample) !== -1) return false;
    this.view.sample = this.shown[0]!.sample.index;
    this.view.step = 0;
    this.note = null;
    return true;
  }

  /**
   * The matches of the query in the shown samples, again (the run, the filters or the order
   * changed). The match gone to stays the current one while it is still found.
   */
  private refreshSearch(keepCurrent: boolean): void {
    const { query } = this.search;
    if (!this.run || !searchable(query)) {
      this.search = emptySearch(query);
      return;
    }
    const was = keepCurrent ? this.search.matches[this.search.current] : undefined;
    const shownIndices = new Set(this.shown.map((summary) => summary.sample.index));
    const { matches, byStep, samples } = indexMatches(
      this.shown.map((summary) => summary.sample),
      query,
    );
    const hidden = countMatches(
      this.run.samples.filter((sample) => !shownIndices.has(sample.index)),
      query,
    );
    const kept = was
      ? matches.findIndex((m) => m.sample === was.sample && m.step === was.step && m.start === was.start)
      : -1;
    const current =
      kept !== -1
        ? kept
        : firstMatchFrom(
            matches,
            this.shown.map((summary) => summary.sample.index),
            this.view.sample,
            this.view.step,
          );
    this.search = { query, matches, current, hidden, samples, byStep };
  }

  private samplesChanged(effects: Effects, sampleIndex: number): void {
    const run = this.run!;
    const wasShown = this.currentSummary() !== undefined;
    this.summaries = summarize(run, this.labels, this.view.prm);
    this.gold = goldSample(run);
    // Live deltas only add samples (or judge them), so the selection moves only while none was
    // shown: the first sample to arrive, or the first the filters keep.
    const moved = this.refreshShown();
    if (moved || !wasShown || sampleIndex === this.view.sample) {
      this.computeVisibleSteps();
      effects.parts.add('steps');
    }
    // The new sample's steps may hold matches; the one gone to stays current.
    if (searchable(this.search.query)) {
      this.refreshSearch(true);
      effects.parts.add('searchMarks');
    }
    effects.parts.add('samplesHead').add('samples').add('answers').add('browse');
  }

  private saveAnswered(key: string | undefined, effects: Effects): void {
    if (key !== undefined) effects.marks.add(key);
    effects.parts.add('saveNotice');
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  apply(action: PanelAction): Effects {
    const effects = noEffects();
    if (!this.run) return effects;
    // While a note is being written its keys are text, not shortcuts: no key action but Escape
    // acts (the note's own actions and clicks do).
    if (this.note && KEY_KINDS.has(action.kind) && action.kind !== 'escape') return effects;
    if (LABELLING.has(action.kind) && this.readOnly) return effects;
    // Filters that keep no sample leave nothing selected: no label can land on a hidden one.
    if (LABELLING.has(action.kind) && !this.currentSample()) return effects;
    // A step the disagreement filter hides is not labelled by a key pressed on a blank steps area.
    if (STEP_LABELLING.has(action.kind) && !this.visibleSteps.includes(this.view.step)) {
      effects.refused = `Step ${this.view.step} of sample ${this.view.sample} is hidden by Only disagreements: show all steps (f) to label it.`;
      return effects;
    }
    switch (action.kind) {
      case 'step':
        this.moveStep(action.delta, effects);
        break;
      case 'sample':
        this.moveSample(action.delta, effects);
        break;
      case 'nextDisagreement':
        this.nextDisagreement(effects);
        break;
      case 'selectSample':
        this.selectSample(action.sample, effects);
        break;
      case 'selectStep':
        this.selectStep(action.step, effects, action.scroll ?? true);
        break;
      case 'rate':
        this.rate(action.rating, effects);
        break;
      case 'who':
        this.setWho(action.who, effects);
        break;
      case 'firstErrorHere':
        this.markFirstError(this.view.step, effects);
        break;
      case 'noError':
        this.markFirstError(-1, effects);
        break;
      case 'note':
        this.openNote(effects);
        break;
      case 'noteInput':
        if (!this.note) break;
        this.note.text = action.text;
        // Saved as typed: a panel hidden mid-sentence comes back with the sentence.
        effects.saveView = true;
        break;
      case 'noteSave':
        this.saveNote(effects);
        break;
      case 'noteCancel':
        this.closeNote(effects);
        break;
      case 'undo':
        this.undo(effects);
        break;
      case 'filter':
        this.setFilter(!this.view.onlyDisagreements, effects);
        break;
      case 'setFilter':
        // The checkbox has ticked itself: redrawn, it shows the filter as it is (also if refused).
        effects.parts.add('stepsHead');
        this.setFilter(action.only, effects);
        break;
      case 'setPrm':
        if (this.view.prm === action.prm || !prmJudges(this.run).includes(action.prm)) break;
        this.view.prm = action.prm;
        this.summaries = summarize(this.run, this.labels, this.view.prm);
        this.refreshShown();
        this.computeVisibleSteps();
        effects.saveView = true;
        effects.fullRender = true;
        break;
      case 'help':
        this.helpOpen = !this.helpOpen;
        effects.parts.add('help');
        break;
      case 'escape':
        if (this.note) this.closeNote(effects);
        else if (this.helpOpen) {
          this.helpOpen = false;
          effects.parts.add('help');
        } else if (this.search.query !== '') this.clearSearch(effects);
        break;
      case 'find':
        effects.focus = 'search';
        // The lowered text is made now, while the person starts typing, not on the first search.
        prepareSearch(this.run.samples);
        break;
      case 'findNext':
        this.moveMatch(action.delta, effects);
        break;
      case 'search':
        this.setQuery(action.query, effects);
        break;
      case 'searchClear':
        this.clearSearch(effects);
        break;
      case 'setFilters':
        this.setFilters(action.filters, effects);
        break;
      case 'setSort':
        this.setSort(action.sort, effects);
        break;
      case 'dismissSkipped':
        // Until the log changes: the same notice is not shown again for this run.
        this.skippedDismissed = this.skippedId();
        effects.parts.add('status');
        break;
      case 'retrySaves':
        this.retrySaves(effects);
        break;
    }
    return effects;
  }

  private skippedId(): string {
    const skipped = this.skipped;
    return skipped ? JSON.stringify([this.run?.id, skipped.log, skipped.count, skipped.lines]) : '';
  }

  private computeVisibleSteps(): void {
    const sample = this.currentSample();
    const summary = this.currentSummary();
    if (!sample || !summary) {
      this.visibleSteps = [];
      return;
    }
    this.visibleSteps = sample.steps
      .map((_, i) => i)
      .filter((i) => !this.view.onlyDisagreements || summary.disagreement.steps[i]);
    if (!this.visibleSteps.includes(this.view.step)) this.view.step = this.visibleSteps[0] ?? 0;
  }

  private selectSample(index: number, effects: Effects): void {
    if (index === this.view.sample) return;
    const previous = this.view.sample;
    this.view.sample = index;
    this.view.step = 0;
    this.note = null;
    this.computeVisibleSteps();
    effects.saveView = true;
    effects.sampleRows.add(previous).add(index);
    effects.parts.add('steps');
    effects.scrollSample = true;
  }

  private selectStep(step: number, effects: Effects, scroll: boolean): void {
    const previous = this.view.step;
    if (step !== previous && this.note) {
      // Moving on leaves the note unsaved, as Escape would.
      this.note = null;
    }
    this.view.step = step;
    effects.saveView = true;
    effects.stepRows.add(previous).add(step);
    effects.scrollStep ||= scroll;
  }

  /**
   * Why the disagreement filter is not turned on here, if so: on a sample where the judges agree it
   * would hide every step, drop the selection and leave the list at its top; people lost their
   * place (new-user trials). The key and the checkbox are refused alike.
   */
  filterRefusal(): string | undefined {
    const summary = this.currentSummary();
    if (this.view.onlyDisagreements || summary?.disagreement.count !== 0) return undefined;
    return `Sample ${summary.sample.index} has no disagreements: Only disagreements (f) would hide all its steps, so they stay shown.`;
  }

  private setFilter(only: boolean, effects: Effects): void {
    if (only === this.view.onlyDisagreements) return;
    const refused = only ? this.filterRefusal() : undefined;
    if (refused !== undefined) {
      effects.refused = refused;
      return;
    }
    this.view.onlyDisagreements = only;
    this.computeVisibleSteps();
    effects.saveView = true;
    effects.parts.add('steps');
  }

  private moveStep(delta: 1 | -1, effects: Effects): void {
    const position = this.visibleSteps.indexOf(this.view.step);
    const next = this.visibleSteps[Math.min(this.visibleSteps.length - 1, Math.max(0, position + delta))];
    if (next !== undefined) this.selectStep(next, effects, true);
  }

  private moveSample(delta: 1 | -1, effects: Effects): void {
    const position = this.shownPosition(this.view.sample);
    const next = this.shown[Math.min(this.shown.length - 1, Math.max(0, position + delta))];
    if (next) this.selectSample(next.sample.index, effects);
  }

  /** The next disagreement after the selected step, in this sample or the ones after it (as shown). */
  private nextDisagreement(effects: Effects): void {
    const start = Math.max(0, this.shownPosition(this.view.sample));
    for (let offset = 0; offset < this.shown.length; offset++) {
      const summary = this.shown[(start + offset) % this.shown.length]!;
      const from = offset === 0 ? this.view.step + 1 : 0;
      const step = summary.disagreement.steps.findIndex((flag, i) => flag && i >= from);
      if (step !== -1) {
        this.selectSample(summary.sample.index, effects);
        if (!this.visibleSteps.includes(step)) {
          this.computeVisibleSteps();
          effects.parts.add('steps');
        }
        this.selectStep(step, effects, true);
        return;
      }
    }
  }

  private setQuery(query: string, effects: Effects): void {
    if (query === this.search.query) return;
    const was = this.search.matches[this.search.current];
    this.search = { ...this.search, query };
    this.refreshSearch(false);
    effects.saveView = true;
    effects.parts.add('searchCount').add('searchMarks');
    const match = this.search.matches[this.search.current];
    // A longer query found where the shorter one was: the person is there already.
    const stays =
      was !== undefined &&
      match !== undefined &&
      was.sample === match.sample &&
      was.step === match.step &&
      was.start === match.start;
    if (match && !stays) this.goToMatch(match, effects);
  }

  private clearSearch(effects: Effects): void {
    this.search = emptySearch();
    effects.saveView = true;
    effects.parts.add('searchCount').add('searchMarks').add('searchField');
  }

  /** The next (or previous) match, round the end of the list to its start as a find box does. */
  private moveMatch(delta: 1 | -1, effects: Effects): void {
    const count = this.search.matches.length;
    if (count === 0) return;
    const current = this.search.current === -1 ? (delta === 1 ? -1 : 0) : this.search.current;
    this.search.current = (current + delta + count) % count;
    effects.parts.add('searchCount').add('searchMarks');
    this.goToMatch(this.search.matches[this.search.current]!, effects);
  }

  /**
   * Opens the match's sample and selects its step, showing every step if the filter hides it. A
   * match in the reasoning trace leaves the selected step as it is: the trace opens (views/steps.ts).
   */
  private goToMatch(match: SearchMatch, effects: Effects): void {
    this.selectSample(match.sample, effects);
    if (match.step === TRACE) {
      effects.scrollMatch = true;
      return;
    }
    if (!this.visibleSteps.includes(match.step)) {
      this.view.onlyDisagreements = false;
      this.computeVisibleSteps();
      effects.parts.add('steps');
    }
    // Already there (the next match is in the same step): the marks move, the row stays, and
    // only the mark is brought into view (no layout of the list per key typed).
    if (match.step !== this.view.step) this.selectStep(match.step, effects, true);
    effects.scrollMatch = true;
  }

  private setFilters(filters: SampleFilters, effects: Effects): void {
    // Absent, not undefined: the view is saved as JSON and compared as data.
    const kept = Object.fromEntries(
      Object.entries(filters).filter(([, value]) => value !== undefined),
    ) as SampleFilters;
    if (hasFilters(kept)) this.view.filters = kept;
    else {
      const { filters: _dropped, ...rest } = this.view;
      this.view = rest;
    }
    this.listChanged(effects);
  }

  private setSort(sort: SampleSort | undefined, effects: Effects): void {
    if (sort) this.view.sort = sort;
    else {
      const { sort: _dropped, ...rest } = this.view;
      this.view = rest;
    }
    this.listChanged(effects);
  }

  /** The filters or the order changed: the list, the selection if it left it, the search's matches. */
  private listChanged(effects: Effects): void {
    const had = this.currentSample() !== undefined;
    // The steps are redrawn when the selection moved, or appeared or went with the whole list.
    if (this.refreshShown() || had !== (this.currentSample() !== undefined)) {
      this.computeVisibleSteps();
      effects.parts.add('steps');
    }
    if (searchable(this.search.query)) {
      this.refreshSearch(true);
      effects.parts.add('searchMarks');
    }
    effects.saveView = true;
    effects.scrollSample = true;
    effects.parts.add('samplesHead').add('samples').add('browse');
  }

  private record(changes: AuditChange[], effects: Effects, undoable = true): void {
    const run = this.run;
    if (!run || this.readOnly || changes.length === 0) return;
    const inverse = changes.map((change) => inverseOf(this.labels, change)).reverse();
    const firstErrorBefore = new Map(changes.map((c) => [c.sample, this.labels[c.sample]?.firstError]));
    for (const change of changes) {
      const event = stampEvent(change);
      applyAuditEvent(this.labels, event);
      this.post(run.id, event, effects);
    }
    if (undoable) this.undoStack.push(inverse);
    // What u undoes is saved with the view (a panel shown again still undoes it).
    effects.saveView = true;
    this.summaries = summarize(run, this.labels, this.view.prm);
    this.refreshShown();
    // Every row the changes touched: an undo may concern a step or sample left behind.
    for (const change of changes) {
      effects.sampleRows.add(change.sample);
      if (change.sample !== this.view.sample) continue;
      if (change.type === 'firstError') {
        // The old and the new first-error rows lose and gain their flag; the heading says it.
        for (const step of [firstErrorBefore.get(change.sample), this.labels[change.sample]?.firstError])
          if (step !== undefined && step >= 0) effects.stepRows.add(step);
        effects.parts.add('stepsHead');
      } else if (change.step !== undefined) effects.stepRows.add(change.step);
    }
    effects.stepRows.add(this.view.step);
    // A label changed again is no longer failed but pending: the notice may have less to say.
    effects.parts.add('saveNotice');
  }

  private post(runId: string, event: AuditEvent, effects: Effects): void {
    effects.post.push({ type: 'audit/append', runId, requestId: this.saves.begin(event), event });
    effects.marks.add(labelKey(event));
  }

  private rate(rating: -1 | 0 | 1, effects: Effects): void {
    const current = this.labels[this.view.sample]?.steps[this.view.step]?.rating;
    this.record(
      [
        {
          type: 'stepRating',
          sample: this.view.sample,
          step: this.view.step,
          rating: current === rating ? null : rating,
        },
      ],
      effects,
    );
  }

  private setWho(who: 'self' | 'prm' | 'both' | 'neither', effects: Effects): void {
    const prm = this.view.prm;
    if (prm === undefined) return;
    const current = this.labels[this.view.sample]?.steps[this.view.step]?.who?.[prm];
    this.record(
      [
        {
          type: 'whoWasRight',
          sample: this.view.sample,
          step: this.view.step,
          judge: prm,
          who: current === who ? null : who,
        },
      ],
      effects,
    );
  }

  private markFirstError(step: number, effects: Effects): void {
    const current = this.labels[this.view.sample]?.firstError;
    this.record(
      [{ type: 'firstError', sample: this.view.sample, step: current === step ? null : step }],
      effects,
    );
  }

  private openNote(effects: Effects): void {
    if (!this.visibleSteps.includes(this.view.step) || !this.currentSample()) return;
    const { sample, step } = this.view;
    this.note = { sample, step, text: this.labels[sample]?.steps[step]?.note ?? '' };
    effects.stepRows.add(step);
    effects.saveView = true;
  }

  private saveNote(effects: Effects): void {
    const note = this.note;
    if (!note) return;
    this.note = null;
    effects.saveView = true;
    effects.stepRows.add(note.step);
    const text = note.text.trim();
    if (text === (this.labels[note.sample]?.steps[note.step]?.note ?? '')) return;
    this.record([{ type: 'note', sample: note.sample, step: note.step, text }], effects);
  }

  private closeNote(effects: Effects): void {
    if (!this.note) return;
    if (this.note.sample === this.view.sample) effects.stepRows.add(this.note.step);
    this.note = null;
    effects.saveView = true;
  }

  private undo(effects: Effects): void {
    const changes = this.undoStack.pop();
    if (changes) this.record(changes, effects, false);
  }

  private retrySaves(effects: Effects): void {
    const run = this.run;
    if (!run || this.readOnly) return;
    for (const label of this.saves.failures()) this.post(run.id, label.event, effects);
    effects.parts.add('saveNotice');
  }
}
