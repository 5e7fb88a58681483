/**
 * The Dataset Report's problems table: sorting and filtering (pure, unit-tested in Node) and the
 * table itself (DOM). Every string from the dataset reaches the page as text, never markup.
 *
 * Keyboard: Tab reaches the filter, each column's sort button (Enter or Space sorts; again
 * reverses) and each problem's open button (Enter opens it in the panel); ↑ / ↓ / Home / End move
 * between problems; "/" goes to the filter.
 */
import type { ProblemRow } from '../../src/core/reportProblems.js';

/** `id`, `passRate`, `disagreements` or `pick:<method>`. */
export type SortColumn = string;

export interface TableView {
  /** null: the order of dataset.json. */
  sort: SortColumn | null;
  descending: boolean;
  filter: string;
}

export const DEFAULT_VIEW: TableView = { sort: null, descending: false, filter: '' };

export function pickColumn(method: string): SortColumn {
  return `pick:${method}`;
}

/** The value a row sorts by in a column; null sorts last in either direction. */
function sortValue(row: ProblemRow, column: SortColumn): string | number | null {
  if (column === 'id') return row.id;
  if (column === 'passRate') return row.passRate;
  if (column === 'disagreements') return row.disagreements;
  if (column.startsWith('pick:')) {
    const pick = row.picks[column.slice('pick:'.length)];
    return pick === undefined || pick === null ? null : pick ? 1 : 0;
  }
  return null;
}

const byId = (a: ProblemRow, b: ProblemRow) => a.id.localeCompare(b.id, 'en', { numeric: true });

/** Rows sorted by the view's column (ties by id, ascending), nulls last; stable. */
export function sortRows(
  rows: readonly ProblemRow[],
  view: Pick<TableView, 'sort' | 'descending'>,
): ProblemRow[] {
  const { sort } = view;
  if (sort === null) return [...rows];
  const sign = view.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    if (x === null || y === null) return x === y ? byId(a, b) : x === null ? 1 : -1;
    const order =
      typeof x === 'string' || typeof y === 'string'
        ? String(x).localeCompare(String(y), 'en', { numeric: true })
        : x - y;
    return order === 0 ? byId(a, b) : sign * order;
  });
}

/** Rows whose id or subset holds the filter text (any case); every row for an empty filter. */
export function filterRows(rows: readonly ProblemRow[], filter: string): ProblemRow[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return [...rows];
  return rows.filter(
    (row) => row.id.toLowerCase().includes(needle) || (row.subset ?? '').toLowerCase().includes(needle),
  );
}

/** A click on a header: sort by it ascending, or reverse when it is sorted by already. */
export function toggleSort(view: TableView, column: SortColumn): TableView {
  if (view.sort === column) return { ...view, descending: !view.descending };
  return { ...view, sort: column, descending: false };
}

export function visibleRows(rows: readonly ProblemRow[], view: TableView): ProblemRow[] {
  return sortRows(filterRows(rows, view.filter), view);
}

export function passRateText(row: ProblemRow): string {
  if (row.right === null) return `— of ${row.n}`;
  const share = row.passRate === null ? '' : ` (${(row.passRate * 100).toFixed(0)} %)`;
  return `${row.right} of ${row.n}${share}`;
}

export function pickText(pick: boolean | null | undefined): { text: string; label: string } {
  if (pick === true) return { text: '✓', label: 'right' };
  if (pick === false) return { text: '✗', label: 'wrong' };
  return { text: '—', label: 'no pick (no reference or no usable sample)' };
}

export function openLabel(row: ProblemRow): string {
  const at = row.firstDisagreement;
  return at
    ? `Open ${row.id} in the panel at its first disagreement: sample ${at.sample + 1}, step ${at.step + 1}, Self-PRM against ${at.prm}`
    : `Open ${row.id} in the panel (no disagreement)`;
}

// ---------------------------------------------------------------------------------------------
// DOM

function el(tag: string, props: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') element.className = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
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
    const head = el(
      'tr',
      {},
      ...columns(this.data.methods).map((column) => {
        const sorted = this.view.sort === column.key;
        const button = el(
          'button',
          { type: 'button', class: 'sort', 'data-column': column.key, title: column.title },
          column.label,
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
        { type: 'button', class: 'open', 'aria-label': openLabel(row), title: openLabel(row) },
        row.id,
      );
      open.addEventListener('click', (event) => {
        event.stopPropagation();
        this.callbacks.open(row);
      });
      const pass = el('td', { class: 'pass' }, passRateText(row));
      const tr = el(
        'tr',
        { 'data-id': row.id, class: row.disagreements > 0 ? 'disagrees' : '' },
        el('td', {}, open, row.subset ? el('span', { class: 'muted subset' }, ` ${row.subset}`) : ''),
        pass,
        el('td', { class: 'disagreements' }, String(row.disagreements)),
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
    if (!target?.classList.contains('open')) return;
    const buttons = [...this.table.querySelectorAll<HTMLElement>('button.open')];
    const at = buttons.indexOf(target);
    const next =
      event.key === 'ArrowDown'
        ? buttons[Math.min(buttons.length - 1, at + 1)]
        : event.key === 'ArrowUp'
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
}
