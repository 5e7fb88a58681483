/**
 * The bar above the samples: the search box over every step and reasoning trace of the run (its
 * count, previous and next), and the samples' filters (answer, correctness, a judge's verdict) and
 * order. The box and the selects are made once and changed in place, so a live update or a redrawn
 * count never takes the focus, the text being typed or an open list. Built with `h()`.
 */
import {
  answerCounts,
  hasFilters,
  OUTCOME_NAMES,
  OUTCOMES,
  type Outcome,
  outcomeCounts,
  type SampleFilters,
  verdictCounts,
} from '../browse.js';
import { focusWhenReady, icon, type SelectOption, select, setOptions, textField } from '../components.js';
import { h, plural, replace } from '../dom.js';
import { judgeName, tableJudges } from '../model.js';
import type { PanelState } from '../state.js';
import { texToText } from '../texText.js';
import type { Dispatch } from './labels.js';

/** Typing waits this long for the next key before searching: one search per word, not per key. */
const DEBOUNCE_MS = 150;

export class SearchBar {
  readonly element: HTMLElement;
  private readonly field = textField('', 'Search steps  ( / )');
  private readonly count = h('span', { class: 'search-count muted', role: 'status', 'aria-live': 'polite' });
  private readonly filters = h('div', {
    class: 'sample-filters',
    role: 'group',
    'aria-label': 'Sample filters',
  });
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Where the focus was before `/`: Escape goes back there. */
  private returnTo: HTMLElement | null = null;
  private readonly answerSelect = select([], '', (value) =>
    this.setFilters({ answer: value === '' ? undefined : value.slice(1) }),
  );
  private readonly outcomeSelect = select([], '', (value) =>
    this.setFilters({ outcome: value === '' ? undefined : (value as Outcome) }),
  );
  private readonly verdictSelect = select([], '', (value) => {
    const colon = value.indexOf(':');
    this.setFilters({
      verdict:
        value === ''
          ? undefined
          : { judge: value.slice(colon + 1), hasError: value.slice(0, colon) === 'error' },
    });
  });
  private readonly sortSelect = select([], '', (value) => {
    const colon = value.indexOf(':');
    this.dispatch({
      kind: 'setSort',
      sort:
        value === ''
          ? undefined
          : { judge: value.slice(colon + 1), descending: value.slice(0, colon) === 'desc' },
    });
  });
  private readonly clearButton = iconButton(
    'clear-all',
    'Show every sample (clear the filters)',
    () => this.setFilters({ answer: undefined, outcome: undefined, verdict: undefined }),
    'Clear filters',
  );

  constructor(
    private readonly state: PanelState,
    private readonly dispatch: Dispatch,
  ) {
    this.field.classList.add('search-field');
    this.field.setAttribute('aria-label', 'Search the steps and reasoning traces of this run');
    const previous = iconButton('arrow-up', 'Previous match (Shift+Enter, Shift+F3)', () => this.move(-1));
    const next = iconButton('arrow-down', 'Next match (Enter, F3)', () => this.move(1));
    // The keys do what these do: Tab goes from the box straight on to the filters.
    for (const button of [previous, next]) button.tabIndex = -1;
    replace(
      this.filters,
      labelled('answer', 'Answer', this.answerSelect),
      labelled('outcome', 'Correct', this.outcomeSelect),
      labelled('verdict', 'Verdict', this.verdictSelect),
      labelled('sort', 'Sort', this.sortSelect),
      this.clearButton,
    );
    this.element = h(
      'div',
      { class: 'search-bar' },
      h('div', { class: 'search-row', role: 'search' }, this.field, this.count, previous, next),
      this.filters,
    );
    this.field.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    });
    this.field.addEventListener('keydown', (event) => this.onKey(event));
    // Esc on a filter whose list is closed goes back as from the box (its list open: Esc closes it).
    this.filters.addEventListener(
      'keydown',
      (event) => {
        const target = event.target as (HTMLElement & { open?: boolean }) | null;
        if (event.key !== 'Escape' || target?.open) return;
        event.preventDefault();
        event.stopPropagation();
        this.leave();
      },
      { capture: true },
    );
  }

  /** Focus the box, remembering where the focus was. */
  focus(): void {
    const active = document.activeElement;
    if (active instanceof HTMLElement && active !== document.body && !this.element.contains(active))
      this.returnTo = active;
    focusWhenReady(this.field);
    // Whatever was searched for last is selected, so typing replaces it.
    const input = this.field.shadowRoot?.querySelector('input');
    input?.select();
  }

  /** The box's text from the state (a new run clears the search). */
  syncField(): void {
    if (this.field.value !== this.state.search.query) this.field.value = this.state.search.query;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dispatch({ kind: 'search', query: this.field.value });
  }

  private move(delta: 1 | -1): void {
    // Enter right after typing goes to the first match of what is typed, not the last search's.
    if (this.timer !== undefined || this.field.value !== this.state.search.query) {
      this.flush();
      if (delta === 1) return;
    }
    this.dispatch({ kind: 'findNext', delta });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === 'F3') {
      event.preventDefault();
      this.move(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.leave();
    }
  }

  /** Back to where the person was; the search and its marks stay (Escape again clears them). */
  private leave(): void {
    if (this.timer !== undefined) this.flush();
    const back = this.returnTo;
    this.returnTo = null;
    const again = back?.isConnected ? back : back ? sameControlInSelectedStep(back) : undefined;
    if (again) again.focus();
    else (document.activeElement as HTMLElement | null)?.blur();
  }

  render(): void {
    this.renderCount();
    this.renderFilters();
  }

  renderCount(): void {
    const { query, matches, current, hidden, samples } = this.state.search;
    const hiddenText = hidden > 0 ? ` · ${hidden} more in samples the filters hide` : '';
    let text = '';
    if (query.trim() !== '') {
      if (matches.length === 0) text = `No match${hiddenText}`;
      else {
        const where = `${matches.length} match${matches.length === 1 ? '' : 'es'} in ${plural(samples.size, 'sample')}`;
        text = current >= 0 ? `${current + 1} of ${where}` : where;
        text += hiddenText;
      }
    }
    this.count.textContent = text;
    this.count.classList.toggle('no-match', query.trim() !== '' && matches.length === 0);
  }

  private renderFilters(): void {
    const run = this.state.run;
    if (!run) return;
    const filters = this.state.filters();
    const sort = this.state.view.sort;
    const answers = answerCounts(run);
    const outcomes = outcomeCounts(run);
    const judges = tableJudges(run);
    setOptions(
      this.answerSelect,
      [
        { value: '', label: 'any' },
        ...answers.map(({ answer, count }) => answerOption(answer, count)),
        // Chosen before the run changed, and given by no sample now: still shown as chosen.
        ...(filters.answer !== undefined && !answers.some((a) => a.answer === filters.answer)
          ? [answerOption(filters.answer, 0)]
          : []),
      ],
      filters.answer === undefined ? '' : `=${filters.answer}`,
    );
    setOptions(
      this.outcomeSelect,
      [
        { value: '', label: 'any' },
        ...OUTCOMES.filter((outcome) => outcomes[outcome] > 0 || filters.outcome === outcome).map(
          (outcome) => ({ value: outcome, label: `${OUTCOME_NAMES[outcome]}  (${outcomes[outcome]})` }),
        ),
      ],
      filters.outcome ?? '',
    );
    setOptions(
      this.verdictSelect,
      [
        { value: '', label: 'any' },
        ...judges.flatMap((judge) => {
          const { ok, error } = verdictCounts(run, judge);
          return [
            { value: `ok:${judge}`, label: `${judgeName(judge)}: no error  (${ok})` },
            { value: `error:${judge}`, label: `${judgeName(judge)}: has an error  (${error})` },
          ];
        }),
      ],
      filters.verdict === undefined
        ? ''
        : `${filters.verdict.hasError ? 'error' : 'ok'}:${filters.verdict.judge}`,
    );
    setOptions(
      this.sortSelect,
      [
        { value: '', label: 'sample #' },
        ...judges.flatMap((judge) => [
          { value: `desc:${judge}`, label: `${judgeName(judge)} score, high first` },
          { value: `asc:${judge}`, label: `${judgeName(judge)} score, low first` },
        ]),
      ],
      sort === undefined ? '' : `${sort.descending ? 'desc' : 'asc'}:${sort.judge}`,
    );
    this.clearButton.hidden = !hasFilters(filters);
    // The open list is as wide as the select: wide enough to read every option ("qwen-prm: has an
    // error (2)"), up to a limit past which an answer is cut.
    for (const element of [this.answerSelect, this.outcomeSelect, this.verdictSelect, this.sortSelect]) {
      const longest = Math.max(
        ...[...element.querySelectorAll('vscode-option')].map((o) => o.textContent?.length ?? 0),
      );
      element.style.width = `${Math.min(30, longest + 4)}ch`;
    }
  }

  /** Changes the filters the state has now by `change`. */
  private setFilters(change: Partial<SampleFilters>): void {
    this.dispatch({ kind: 'setFilters', filters: { ...this.state.filters(), ...change } });
  }
}

/**
 * An answer as an option: an option holds text only (no KaTeX), so a TeX answer is written as
 * plain text (7/3 for \frac{7}{3}), its source in the title.
 */
function answerOption(answer: string, count: number): SelectOption {
  const text = texToText(answer);
  return {
    value: `=${answer}`,
    label: `${text}  (${count})`,
    ...(text !== answer ? { title: answer } : {}),
  };
}

/**
 * A label control of a step row redrawn since (the search went to a match, a row scrolled out):
 * the same control in the step selected now, which is where the labels keys act too.
 */
function sameControlInSelectedStep(gone: HTMLElement): HTMLElement | undefined {
  if (!gone.closest('.step')) return undefined;
  const row = document.querySelector('.step.selected');
  if (!row) return undefined;
  return [...row.querySelectorAll<HTMLElement>(gone.tagName)].find(
    (element) => element.className === gone.className && element.textContent === gone.textContent,
  );
}

/** A filter with its visible name (the select's accessible name too). */
function labelled(key: string, name: string, control: HTMLElement): HTMLElement {
  control.setAttribute('aria-label', `${name} filter`);
  if (key === 'sort') control.setAttribute('aria-label', 'Sort the samples');
  control.classList.add(`filter-${key}`);
  return h(
    'div',
    { class: 'filter', 'data-filter': key },
    h('span', { class: 'filter-name' }, name),
    control,
  );
}

function iconButton(name: string, title: string, onClick: () => void, text?: string): HTMLElement {
  const button = h(
    'button',
    { class: 'icon-button', type: 'button', title, 'aria-label': title },
    icon(name),
    text ? ` ${text}` : null,
  );
  button.addEventListener('click', onClick);
  return button;
}
