/**
 * The Dataset Report's problems table (DOM): redrawn from the rows and the view (rows.ts) on each
 * change. Every string from the dataset reaches the page as text, never markup.
 *
 * Keyboard: Tab reaches the filter, each column's sort button (Enter or Space sorts; again
 * reverses) and each problem's open button (Enter opens it in the panel); ↑ / ↓ / Home / End move
 * between problems; "/" goes to the filter.
 */
import type { ProblemRow } from '../../src/core/reportProblems.js';
import { identParts } from '../../src/core/rerankCurves.js';
import {
  openLabel,
  passRateText,
  pickColumn,
  pickText,
  type SortColumn,
  type TableView,
  toggleSort,
  visibleRows,
} from './rows.js';

function el(tag: string, props: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') element.className = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

/** The name's parts as text, a <wbr> after each but the last. */
function withBreaks(name: string): Node[] {
  return identParts(name).flatMap((part, i) =>
    i === 0
      ? [document.createTextNode(part)]
      : [document.createElement('wbr'), document.createTextNode(part)],
  );
}

export interface TableData {
  methods: string[];
  rows: ProblemRow[];
}

export interface TableCallbacks {
  open(row: ProblemRow): void;
  viewChanged(view: TableView): void;
}

interface Column {
  key: SortColumn;
  label: string;
  title: string;
}

function columns(methods: readonly string[]): Column[] {
  return [
    { key: 'id', label: 'Problem', title: 'The problem id in dataset.json' },
    { key: 'passRate', label: 'Pass rate', title: 'Samples with a right answer, of the usable samples' },
    {
      key: 'disagreements',
      label: 'Disagreements',
      title:
        'Samples where Self-PRM and a PRM name different first errors (or one calls the solution correct and the other does not)',
    },
    ...methods.map((method) => ({
      key: pickColumn(method),
      label: method,
      title: `Whether ${method}'s pick with all samples (k_max) is right`,
    })),
  ];
}

/** The table and its filter field, redrawn whole on each change (a few thousand rows at most). */
export class ProblemsTable {
  private data: TableData = { methods: [], rows: [] };
  /**
   * The column heading and the problem that take Tab: the headings are one stop (← → between
   * them) and the problems another (↑ ↓ Home End), so Tab does not walk every heading and row.
   */
  private tabColumn: string | undefined;
  /** Set once a problem had the focus; until then the first problem shown takes Tab, whatever the order. */
  private tabRow: string | undefined;
  private readonly count: HTMLElement;
  private readonly table: HTMLTableElement;

  constructor(
    root: HTMLElement,
    filterField: HTMLElement & { value: string },
    private view: TableView,
    private readonly callbacks: TableCallbacks,
  ) {
    this.count = el('p', { class: 'muted problems-count', 'aria-live': 'polite' });
    this.table = el('table', { class: 'problems' }) as HTMLTableElement;
    filterField.id = 'problems-filter';
    filterField.setAttribute('aria-label', 'Filter problems by id or subset');
    filterField.value = view.filter;
    filterField.addEventListener('input', () => this.setView({ ...this.view, filter: filterField.value }));
    const filterRow = el('div', { class: 'problems-filter' }, filterField);
    root.replaceChildren(filterRow, this.count, el('div', { class: 'table-scroll' }, this.table));
    this.table.addEventListener('keydown', (event) => this.onKey(event));
    this.table.addEventListener('focusin', (event) => this.onFocus(event));
    document.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement | null;
      if (event.key === '/' && !target?.closest('input, textarea, vscode-textfield')) {
        event.preventDefault();
        filterField.focus();
      }
    });
  }

  show(data: TableData): void {
    this.data = data;
    this.render();
  }

  private setView(view: TableView): void {
    this.view = view;
    this.callbacks.viewChanged(view);
    this.render();
  }

  private render(): void {
    const rows = visibleRows(this.data.rows, this.view);
    const total = this.data.rows.length;
    this.count.textContent =
      rows.length === total
        ? `${total} problem(s)`
        : `${rows.length} of ${total} problem(s) match "${this.view.filter.trim()}"`;
    const shownColumns = columns(this.data.methods);
    if (!shownColumns.some((column) => column.key === this.tabColumn)) this.tabColumn = shownColumns[0]?.key;
    const tabRow = rows.some((row) => row.id === this.tabRow) ? this.tabRow : rows[0]?.id;
    const head = el(
      'tr',
      {},
      ...shownColumns.map((column) => {
        const sorted = this.view.sort === column.key;
        const button = el(
          'button',
          {
            type: 'button',
            class: 'sort',
            'data-column': column.key,
            title: column.title,
            tabindex: column.key === this.tabColumn ? '0' : '-1',
          },
          // A method's name breaks between its parts on a narrow page (CSS .ident), never inside one.
          el('span', { class: 'ident' }, ...withBreaks(column.label)),
          el(
            'span',
            { class: 'sort-mark', 'aria-hidden': 'true' },
            sorted ? (this.view.descending ? ' ▼' : ' ▲') : '',
          ),
        );
        button.addEventListener('click', () => this.setView(toggleSort(this.view, column.key)));
        return el(
          'th',
          {
            scope: 'col',
            'aria-sort': sorted ? (this.view.descending ? 'descending' : 'ascending') : 'none',
          },
          button,
        );
      }),
    );
    const body = el('tbody');
    for (const row of rows) {
      const open = el(
        'button',
        {
          type: 'button',
          class: 'open',
          'aria-label': openLabel(row),
          title: openLabel(row),
          tabindex: row.id === tabRow ? '0' : '-1',
        },
        row.id,
      );
      open.addEventListener('click', (event) => {
        event.stopPropagation();
        this.callbacks.open(row);
      });
      const pass = el('td', { class: 'pass' }, passRateText(row));
      const tr = el(
        'tr',
        { 'data-id': row.id, class: (row.disagreements ?? 0) > 0 ? 'disagrees' : '' },
        el('td', {}, open, row.subset ? el('span', { class: 'muted subset' }, ` ${row.subset}`) : ''),
        pass,
        el('td', { class: 'disagreements' }, row.disagreements === null ? '–' : String(row.disagreements)),
        ...this.data.methods.map((method) => {
          const pick = pickText(row.picks[method]);
          return el(
            'td',
            { class: `pick ${pick.label.split(' ')[0]}`, 'data-method': method },
            el('span', { 'aria-label': pick.label, title: pick.label }, pick.text),
          );
        }),
      );
      tr.addEventListener('click', () => this.callbacks.open(row));
      body.append(tr);
    }
    if (rows.length === 0)
      body.append(
        el(
          'tr',
          {},
          el(
            'td',
            { colspan: String(3 + this.data.methods.length), class: 'muted' },
            total === 0 ? 'No finished problem yet.' : 'No problem matches the filter.',
          ),
        ),
      );
    // Keep the focus on the same control across the redraw (a sort button stays focused).
    const focused = document.activeElement as HTMLElement | null;
    const focusedColumn = focused?.classList.contains('sort') ? focused.dataset.column : undefined;
    this.table.replaceChildren(el('thead', {}, head), body);
    if (focusedColumn !== undefined)
      this.table
        .querySelector<HTMLElement>(`button.sort[data-column="${CSS.escape(focusedColumn)}"]`)
        ?.focus();
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    const heading = target?.classList.contains('sort') === true;
    if (!heading && !target?.classList.contains('open')) return;
    const buttons = [...this.table.querySelectorAll<HTMLElement>(heading ? 'button.sort' : 'button.open')];
    const at = buttons.indexOf(target!);
    const [back, forward] = heading ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
    const next =
      event.key === forward
        ? buttons[Math.min(buttons.length - 1, at + 1)]
        : event.key === back
          ? buttons[Math.max(0, at - 1)]
          : event.key === 'Home'
            ? buttons[0]
            : event.key === 'End'
              ? buttons.at(-1)
              : undefined;
    if (!next) return;
    event.preventDefault();
    next.focus();
  }

  /** The Tab stop of a group (headings, problems) follows the focus: Tab away and back returns there. */
  private onFocus(event: FocusEvent): void {
    const target = event.target as HTMLElement | null;
    const heading = target?.classList.contains('sort') === true;
    if (!heading && !target?.classList.contains('open')) return;
    for (const button of this.table.querySelectorAll<HTMLElement>(heading ? 'button.sort' : 'button.open'))
      button.tabIndex = button === target ? 0 : -1;
    if (heading) this.tabColumn = target!.dataset.column;
    else this.tabRow = target!.closest<HTMLElement>('tr')?.dataset.id;
  }
}
