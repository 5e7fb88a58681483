/**
 * The Dataset Report's problems table without the DOM: sorting, filtering and the cells' texts
 * (unit-tested in Node). The table itself is table.ts.
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
    ? // Numbered as the panel numbers them (Sample 0, step 0): the person finds what was named.
      `Open ${row.id} in the panel at its first disagreement: sample ${at.sample}, step ${at.step}, Self-PRM against ${at.prm}`
    : `Open ${row.id} in the panel (no disagreement)`;
}
