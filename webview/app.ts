/**
 * The StepLens panel's controller: keys and clicks become actions, host messages and actions go to
 * the state (state.ts), and the Effects that come back say what to post and what to redraw, which
 * the views (views/*) draw. It owns the page's fixed parts and the two virtual lists, nothing else.
 * All untrusted text goes in as text nodes (math via KaTeX with trust off); no string from a run is
 * ever parsed as HTML.
 */
import type { HostMessage } from '../src/protocol.js';
import { focusWhenReady } from './components.js';
import { h } from './dom.js';
import type { HostSeam } from './host.js';
import { keyAction } from './keys.js';
import { guardAgainstPaletteTyping } from './paletteGuard.js';
import { type Effects, type PanelAction, PanelState, type SavedView } from './state.js';
import { renderAnswers } from './views/answers.js';
import { renderEmpty, renderHeader } from './views/header.js';
import { renderHelp } from './views/help.js';
import { paintMarks } from './views/labels.js';
import { renderSaveNotice, renderStatus, saveNoticeText } from './views/notices.js';
import { remarkSampleRows, renderSampleRow, renderSamplesHead } from './views/samples.js';
import { SearchBar } from './views/search.js';
import { remarkStepRows, remarkTrace, renderStepRow, renderStepsHead, renderTrace } from './views/steps.js';
import { VirtualList } from './virtualList.js';

/** How long a key's note stays: time to read its sentence or two. */
const KEY_NOTE_MS = 6000;

export class StepLensApp {
  readonly state: PanelState;
  /** What the save notice says now: it is redrawn only when that changes, so it is announced once. */
  private saveNoticeSays = '';

  private readonly header = h('header', { class: 'problem' });
  private readonly answers = h('section', { class: 'answers', 'aria-label': 'Answers and rerankers' });
  private readonly samplesHead = h('div', { class: 'section-head samples-head' });
  /** The samples' column heads, apart from the heading: the search bar sits between them. */
  private readonly samplesColumns = h('div', { class: 'samples-columns' });
  private readonly searchBar: SearchBar;
  private readonly sampleList: VirtualList;
  private readonly stepsHead = h('div', { class: 'section-head steps-head' });
  private readonly trace = h('div', { class: 'trace' });
  private readonly stepList: VirtualList;
  private readonly help = h('div', {
    class: 'help',
    role: 'dialog',
    'aria-label': 'Keyboard shortcuts',
    hidden: '',
  });
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  /** What a key just could not do, said in the status region until the next action, Escape, or a few seconds pass. */
  private keyNote = '';
  private keyNoteTimer = 0;
  /**
   * Where the page is scrolled, saved with the view: VS Code drops the page of a hidden panel and
   * loads it afresh when shown, and the person expects the same step at the same place on screen.
   */
  private scroll: SavedScroll | undefined;
  private scrollSave = 0;
  /** Labels the host could not save: stays in view (sticky) while the person works further down. */
  private readonly saveNotice = h('div', { class: 'save-notice', role: 'alert', hidden: '' });

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostSeam,
  ) {
    const saved = host.loadState<SavedPanel>();
    this.state = new PanelState(pageId(), saved);
    this.scroll = saved?.scroll;
    const dispatch = (action: PanelAction) => this.dispatch(action);
    this.sampleList = new VirtualList({
      estimate: 30,
      overscan: 6,
      render: (i) => renderSampleRow(this.state, dispatch, i),
    });
    this.searchBar = new SearchBar(this.state, dispatch);
    this.sampleList.element.classList.add('sample-list');
    this.sampleList.element.setAttribute('aria-label', 'Samples');
    this.stepList = new VirtualList({
      estimate: 96,
      overscan: 3,
      render: (i) => renderStepRow(this.state, dispatch, i),
    });
    this.stepList.element.classList.add('step-list');
    this.stepList.element.setAttribute('aria-label', 'Steps');
    this.root.append(
      this.saveNotice,
      this.status,
      this.header,
      this.answers,
      h(
        'section',
        { class: 'samples' },
        this.samplesHead,
        this.searchBar.element,
        this.samplesColumns,
        this.sampleList.element,
      ),
      h('section', { class: 'steps' }, this.stepsHead, this.trace, this.stepList.element),
      this.help,
    );
    renderHelp(this.help, false);
    guardAgainstPaletteTyping();
    document.addEventListener('keydown', (event) => this.onKey(event));
    window.addEventListener('scroll', () => this.scheduleScrollSave(), { passive: true });
    host.listen((message) => this.onMessage(message));
    host.post({ type: 'ready' });
  }

  private onMessage(message: HostMessage): void {
    if (message.type !== 'run/show') {
      this.apply(this.state.receive(message));
      return;
    }
    // Another run than the one shown: what was said of the last one goes, and the page starts at
    // its top unless the run is opened at a step (the Dataset Report, the queue).
    const another = this.state.run !== null && this.state.run.id !== message.run.id;
    if (another) {
      this.keyNote = '';
      // A step of the last run held in place (a page loaded again) is not this run's place.
      this.stepList.release();
    }
    this.apply(this.state.receive({ ...message, readOnly: message.readOnly || this.host.readOnly }));
    if (another && !message.focus) window.scrollTo(0, 0);
  }

  dispatch(action: PanelAction): void {
    this.clearKeyNote();
    this.apply(this.state.apply(action));
    // The person opened the note here (m): the field takes what they type next.
    if (action.kind === 'note' && this.state.note) this.focusNoteField();
  }

  private focusNoteField(): void {
    const field = this.root.querySelector<HTMLElement>('.note-field');
    if (field) focusWhenReady(field);
  }

  /** Whether the keyboard focus is in this page's note field (the page itself may not have it). */
  private noteFieldFocused(): boolean {
    return document.activeElement?.classList.contains('note-field') === true;
  }

  private renderStatusLine(): void {
    renderStatus(this.status, this.state, this.dispatchFn);
    if (!this.keyNote) return;
    const note = h('div', { class: 'key-note', title: 'Esc or a click closes this' }, this.keyNote);
    note.addEventListener('click', () => this.clearKeyNote());
    // Placed before it is in the page: laid out in the flow first, even for a moment, it would
    // push the page down and the browser's scroll anchoring would move the steps being read.
    this.placeKeyNote(note);
    this.status.append(note);
  }

  /**
   * Where a key's note is read without hiding the run's title or filters: in the page's flow when
   * its top is in sight (the title moves down for it); else over the view's top, when only steps
   * are there; else at the view's foot (the title or the filters are at the top).
   */
  private placeKeyNote(note: HTMLElement): void {
    if (this.status.getBoundingClientRect().top >= 0) return;
    note.classList.add('floating');
    const steps = this.stepsHead.parentElement?.getBoundingClientRect();
    if (!steps || steps.top > 0) note.classList.add('at-foot');
  }

  private clearKeyNote(): void {
    window.clearTimeout(this.keyNoteTimer);
    if (!this.keyNote) return;
    this.keyNote = '';
    this.renderStatusLine();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    // A key typed into a field is text: no shortcut fires while any field has focus.
    if (
      target &&
      (target.closest('input, textarea, vscode-textfield, vscode-textarea, vscode-single-select') ||
        target.isContentEditable)
    )
      return;
    if (this.keyNote && event.key === 'Escape') {
      // Escape closes the note, and does nothing else (the search and its marks stay).
      event.preventDefault();
      this.clearKeyNote();
      return;
    }
    if (this.state.note && event.key !== 'Escape') {
      // The note field is open but does not have the focus (yet, or any more): what is typed is
      // the note's text, so it goes there — focused during keydown, the field receives the key.
      this.root.querySelector<HTMLElement>('.note-field')?.focus();
      return;
    }
    const action = keyAction(event);
    if (!action || !this.state.run) return;
    event.preventDefault();
    this.dispatch(action);
  }

  // -------------------------------------------------------------------------------------------
  // Drawing what the effects say

  private apply(effects: Effects): void {
    // A note field drawn again (its row redrawn) takes the focus only if the one it replaces had it
    // and the page has the focus (focusWhenReady): a redraw never moves the focus of its own accord.
    const noteHadFocus = this.noteFieldFocused();
    this.draw(effects);
    if (noteHadFocus && this.state.note && !this.noteFieldFocused()) this.focusNoteField();
  }

  private draw(effects: Effects): void {
    const state = this.state;
    for (const message of effects.post) this.host.post(message);
    if (effects.saveView) this.saveView();
    if (effects.refused !== undefined) {
      // Said in the status region, where the person is reading, until the next action, Escape,
      // or the time to read it has passed: it is no dialog, and nothing else closes it.
      this.keyNote = effects.refused;
      this.renderStatusLine();
      window.clearTimeout(this.keyNoteTimer);
      this.keyNoteTimer = window.setTimeout(() => this.clearKeyNote(), KEY_NOTE_MS);
    }
    const parts = effects.parts;
    if (parts.has('empty')) {
      this.root.classList.add('empty');
      renderEmpty(this.header, state.emptyMessage ?? '', this.host.readOnly, (message) =>
        this.host.post(message),
      );
      return;
    }
    if (parts.has('help')) renderHelp(this.help, state.helpOpen);
    if (!state.run) return;
    if (effects.fullRender) {
      this.renderAll(effects.scrollSample || effects.scrollStep);
      if (effects.restored) this.restoreScroll();
      return;
    }
    if (parts.has('status')) this.renderStatusLine();
    if (parts.has('saveNotice')) this.renderSaveNotice();
    if (parts.has('header')) renderHeader(this.header, state);
    if (parts.has('answers')) renderAnswers(this.answers, state);
    if (parts.has('samplesHead')) this.renderSamplesHead();
    if (parts.has('searchField')) this.searchBar.syncField();
    if (parts.has('browse')) this.searchBar.render();
    else if (parts.has('searchCount')) this.searchBar.renderCount();
    if (parts.has('samples')) this.sampleList.setCount(state.shown.length);
    else for (const sample of effects.sampleRows) this.sampleList.update(state.shownPosition(sample));
    if (parts.has('steps')) this.renderSteps();
    else {
      if (parts.has('stepsHead')) this.renderStepsHead();
      for (const step of effects.stepRows) this.stepList.update(state.visibleSteps.indexOf(step));
      if (parts.has('searchMarks')) {
        remarkTrace(this.trace, state);
        remarkStepRows(this.stepList.element, state);
      }
    }
    if (parts.has('searchMarks') && !parts.has('samples')) remarkSampleRows(this.sampleList.element, state);
    for (const key of effects.marks) paintMarks(state, this.root, key);
    if (effects.scrollSample) this.sampleList.scrollToIndex(state.shownPosition(state.view.sample));
    if (effects.scrollStep) this.stepList.scrollToIndex(state.visibleSteps.indexOf(state.view.step));
    // A tall step (display math, a long paragraph) may hold its match below the screen's edge.
    if (effects.scrollMatch) this.scrollToMatch();
    if (effects.focus === 'search') this.searchBar.focus();
  }

  /**
   * Brings the current match into view: in the selected step, or in the reasoning trace, whose
   * box scrolls on its own and is drawn open only once the collapsible has rendered.
   */
  private scrollToMatch(): void {
    const inTrace = this.trace.querySelector<HTMLElement>('.current-match');
    if (!inTrace) {
      this.root.querySelector('.step.selected .current-match')?.scrollIntoView({ block: 'nearest' });
      return;
    }
    const trace = inTrace.closest('vscode-collapsible') as
      | (HTMLElement & { updateComplete?: Promise<unknown> })
      | null;
    const scroll = () => {
      // Still the current match (no key moved it on meanwhile).
      if (inTrace.isConnected && inTrace.classList.contains('current-match'))
        inTrace.scrollIntoView({ block: 'nearest' });
    };
    if (trace?.updateComplete) void trace.updateComplete.then(scroll);
    else scroll();
  }

  private renderSamplesHead(): void {
    renderSamplesHead(
      this.samplesHead,
      this.samplesColumns,
      [this.samplesColumns, this.sampleList.element],
      this.state,
      this.dispatchFn,
    );
  }

  private readonly dispatchFn = (action: PanelAction) => this.dispatch(action);

  private renderAll(scroll = false): void {
    const state = this.state;
    this.root.classList.remove('empty');
    this.root.classList.toggle('read-only', state.readOnly);
    this.renderStatusLine();
    this.renderSaveNotice();
    renderHeader(this.header, state);
    renderAnswers(this.answers, state);
    this.renderSamplesHead();
    this.searchBar.syncField();
    this.searchBar.render();
    // The lists in the same task: the frame that shows a run shows its opened sample's first steps
    // (the lists render only what is on screen, and math waits for KaTeX, so this stays short).
    this.sampleList.setCount(this.state.shown.length);
    this.renderSteps();
    // A run opened at a given step (the Dataset Report, the queue): bring it into view, and keep it
    // there while the rows above it are measured and their math typeset (scrolled to at once, on
    // estimated heights, it drifted off screen).
    if (scroll) {
      const position = this.state.visibleSteps.indexOf(this.state.view.step);
      if (position === -1) this.scrollToSelected();
      else this.stepList.holdAt(position, Math.round(window.innerHeight / 3));
    }
  }

  private scrollToSelected(): void {
    const { view, visibleSteps } = this.state;
    this.sampleList.scrollToIndex(this.state.shownPosition(view.sample));
    this.stepList.scrollToIndex(visibleSteps.indexOf(view.step));
  }

  private renderSteps(): void {
    this.renderStepsHead();
    renderTrace(this.trace, this.state, this.dispatchFn);
    this.stepList.setCount(this.state.visibleSteps.length);
    if (
      this.state.visibleSteps.length > 0 &&
      performance.getEntriesByName('steplens:first-step').length === 0
    )
      performance.mark('steplens:first-step');
  }

  private saveView(): void {
    const saved: SavedPanel = { ...this.state.saved(), ...(this.scroll ? { scroll: this.scroll } : {}) };
    this.host.saveState(saved);
    // Where the page is scrolled is read later, once the change is drawn: reading it now would
    // force a layout per key pressed.
    this.scheduleScrollSave();
  }

  private scheduleScrollSave(): void {
    if (this.scrollSave) return;
    this.scrollSave = window.setTimeout(() => {
      this.scrollSave = 0;
      const scroll = this.readScroll();
      if (!scroll || JSON.stringify(scroll) === JSON.stringify(this.scroll)) return;
      this.scroll = scroll;
      this.host.saveState({ ...this.state.saved(), scroll });
    }, 150);
  }

  /** Where the page is scrolled and where the selected step is on screen; nothing while hidden. */
  private readScroll(): SavedScroll | undefined {
    // A page being hidden has no viewport: what it reads then is not where the person was.
    if (!this.state.run || document.visibilityState === 'hidden' || window.innerHeight === 0)
      return undefined;
    const scroll: SavedScroll = { y: Math.round(window.scrollY) };
    const row = this.stepList.element.querySelector<HTMLElement>('.step.selected');
    if (row) {
      const box = row.getBoundingClientRect();
      if (box.bottom > 0 && box.top < window.innerHeight)
        return { ...scroll, step: this.state.view.step, top: Math.round(box.top) };
    }
    return scroll;
  }

  /**
   * A page loaded again for the run it showed: the selected step at the same place on screen
   * (rows above it are estimates until measured, so it is held there while they settle, until the
   * person scrolls, clicks or types); else the same scroll; else the step brought into view.
   */
  private restoreScroll(): void {
    const saved = this.scroll;
    const position = this.state.visibleSteps.indexOf(this.state.view.step);
    if (saved?.top !== undefined && saved.step === this.state.view.step && position !== -1) {
      this.stepList.holdAt(position, saved.top);
    } else if (saved && saved.y > 0) window.scrollTo(0, saved.y);
    else this.scrollToSelected();
  }

  /** The steps' heading, drawn again; the filter's checkbox keeps the focus it had (a keyboard user toggled it). */
  private renderStepsHead(): void {
    const hadFocus =
      this.stepsHead.contains(document.activeElement) &&
      document.activeElement?.tagName === 'VSCODE-CHECKBOX';
    renderStepsHead(this.stepsHead, this.state, this.dispatchFn);
    const checkbox = this.stepsHead.querySelector<HTMLElement>('vscode-checkbox');
    if (hadFocus && checkbox) focusWhenReady(checkbox);
  }

  private renderSaveNotice(): void {
    const says = saveNoticeText(this.state);
    if (says === this.saveNoticeSays) return;
    this.saveNoticeSays = says;
    renderSaveNotice(this.saveNotice, this.state, this.dispatchFn);
  }
}

/** Where the page was scrolled, and where on screen its selected step was (when it was in sight). */
interface SavedScroll {
  y: number;
  step?: number;
  top?: number;
}

/** What the page saves with VS Code's setState. */
interface SavedPanel extends SavedView {
  scroll?: SavedScroll;
}

/** Ids unique to this page, so a reloaded panel never takes an answer meant for its predecessor. */
function pageId(): string {
  return Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');
}
