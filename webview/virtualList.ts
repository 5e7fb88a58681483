/**
 * A list that keeps only the rows near the viewport in the DOM. Rows have variable heights: each
 * is estimated until it has been rendered once, then measured, and measured again whenever its
 * size changes while it is in the DOM (math is typeset a few frames after a row appears, fonts
 * load late). The page itself scrolls, so the list works in a narrow side panel without nested
 * scroll areas.
 */
export interface VirtualListOptions {
  /** Pixels assumed for a row never rendered. */
  estimate: number;
  /** Rows kept beyond each edge of the viewport. */
  overscan?: number;
  render: (index: number) => HTMLElement;
}

/** A held row is let go once the heights around it have been still this long. */
const HOLD_SETTLED_MS = 2000;

export class VirtualList {
  readonly element: HTMLElement;
  private count = 0;
  private heights: number[] = [];
  private offsets: number[] = [0];
  private offsetsValid = true;
  private readonly rendered = new Map<number, HTMLElement>();
  private frame = 0;
  /** Watches the rows in the DOM, and only those: a row is unobserved the moment it leaves. */
  private readonly resizes = new ResizeObserver((entries) => this.onResize(entries));
  /**
   * The page has not scrolled yet: known without reading window.scrollY, which forces a layout of
   * the whole page (for the first one, its styling too) before the panel's first paint.
   */
  private atTop = true;
  /**
   * The viewport's height as last read where reading it was free (layout clean: a scroll, a resize,
   * a size report). Before the first such moment window.innerHeight would force a layout too; the
   * screen's height bounds it, and the first size report puts the real one in place.
   */
  private viewport: number | undefined;
  /** A row held at its place on screen (holdAt) until the person moves. */
  private held: { place: () => void; stop: () => void } | undefined;

  constructor(private readonly options: VirtualListOptions) {
    this.element = document.createElement('div');
    this.element.className = 'virtual-list';
    this.element.setAttribute('role', 'listbox');
    window.addEventListener(
      'scroll',
      () => {
        this.atTop = false;
        this.viewport = window.innerHeight;
        this.schedule();
      },
      { passive: true },
    );
    window.addEventListener('resize', () => {
      this.viewport = window.innerHeight;
      this.invalidateAll();
    });
  }

  get size(): number {
    return this.count;
  }

  /** How many rows are in the DOM now (what the tests check to see virtualisation hold). */
  get renderedCount(): number {
    return this.rendered.size;
  }

  setCount(count: number): void {
    this.count = count;
    this.heights = Array.from({ length: count }, (_, i) => this.heights[i] ?? this.options.estimate);
    this.offsetsValid = false;
    this.refresh();
  }

  /** Re-renders every row on screen (content changed); measured heights are kept as estimates. */
  refresh(): void {
    for (const index of [...this.rendered.keys()]) this.removeRow(index);
    this.layout();
  }

  /** Re-renders one row if it is on screen. */
  update(index: number): void {
    if (!this.rendered.has(index)) return;
    this.removeRow(index);
    this.layout();
  }

  private removeRow(index: number): void {
    const row = this.rendered.get(index);
    if (!row) return;
    this.resizes.unobserve(row);
    row.remove();
    this.rendered.delete(index);
  }

  invalidateAll(): void {
    this.heights = this.heights.map(() => this.options.estimate);
    this.offsetsValid = false;
    this.refresh();
  }

  scrollToIndex(index: number, align: 'nearest' | 'center' = 'nearest'): void {
    if (index < 0 || index >= this.count) return;
    this.release();
    this.atTop = false;
    this.ensureOffsets();
    const top = this.listTop() + this.offsets[index]!;
    const height = this.heights[index]!;
    const viewTop = window.scrollY;
    const viewBottom = viewTop + window.innerHeight;
    const margin = 24;
    if (align === 'center') window.scrollTo({ top: top - window.innerHeight / 2 + height / 2 });
    else if (top < viewTop + margin) window.scrollTo({ top: top - margin });
    else if (top + height > viewBottom - margin)
      window.scrollTo({ top: top + height - window.innerHeight + margin });
    this.layout();
  }

  /**
   * Scrolls the page so that row `index` is `top` pixels below the viewport's top, and holds it
   * there while the heights around it settle (rows above it are estimates until measured, math is
   * typeset late): a page loaded again shows the row where it was. The hold ends when the person
   * moves (a wheel, a click, a key, a touch), when another scroll is asked for (scrollToIndex,
   * release), or once the heights have been still for HOLD_SETTLED_MS: a scroll that comes with no
   * event (the scrollbar dragged) is fought for that long at most.
   */
  holdAt(index: number, top: number): void {
    if (index < 0 || index >= this.count) return;
    this.release();
    this.atTop = false;
    let settled = 0;
    const stillFor = () => {
      window.clearTimeout(settled);
      settled = window.setTimeout(() => this.release(), HOLD_SETTLED_MS);
    };
    const place = () => {
      if (index >= this.count) return;
      this.ensureOffsets();
      const y = this.listTop() + this.offsets[index]! - top;
      if (Math.abs(window.scrollY - y) >= 1) window.scrollTo(0, y);
      stillFor();
    };
    place();
    this.layout();
    // Anything above the list (the samples, the trace) changing height moves the page's height.
    const page = new ResizeObserver(() => place());
    page.observe(document.body);
    const events = ['wheel', 'pointerdown', 'keydown', 'touchstart'] as const;
    const stop = () => this.release();
    for (const type of events) window.addEventListener(type, stop, { capture: true, passive: true });
    this.held = {
      place,
      stop: () => {
        window.clearTimeout(settled);
        page.disconnect();
        for (const type of events) window.removeEventListener(type, stop, { capture: true });
      },
    };
  }

  /** Whether a row is held in place (holdAt) now. */
  holding(): boolean {
    return this.held !== undefined;
  }

  /** No row is held in place any more: the person moved, or the page shows something else. */
  release(): void {
    this.held?.stop();
    this.held = undefined;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.layout();
    });
  }

  private listTop(): number {
    return this.element.getBoundingClientRect().top + window.scrollY;
  }

  private ensureOffsets(): void {
    if (this.offsetsValid) return;
    const offsets = new Array<number>(this.count + 1);
    offsets[0] = 0;
    for (let i = 0; i < this.count; i++) offsets[i + 1] = offsets[i]! + this.heights[i]!;
    this.offsets = offsets;
    this.offsetsValid = true;
  }

  /** The first row whose bottom edge lies below `y` (binary search over the offsets). */
  private indexAt(y: number): number {
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.offsets[middle + 1]! <= y) low = middle + 1;
      else high = middle;
    }
    return Math.max(0, low);
  }

  private layout(): void {
    this.ensureOffsets();
    const overscan = this.options.overscan ?? 4;
    // At the top of the page no row above the viewport can be on screen, whatever the list's
    // offset: rendering from row 0 spares a forced layout (the first one styles the whole page).
    const top = this.atTop ? 0 : window.scrollY - this.listTop();
    const first = this.count === 0 ? 0 : Math.max(0, this.indexAt(Math.max(0, top)) - overscan);
    const viewport = this.viewport ?? Math.max(screen.availHeight, 600);
    const last = this.count === 0 ? -1 : Math.min(this.count - 1, this.indexAt(top + viewport) + overscan);

    for (const index of [...this.rendered.keys()]) if (index < first || index > last) this.removeRow(index);
    // Rows are placed at their known or estimated offsets and measured once the browser has laid
    // them out (the ResizeObserver reports every new row before the frame is painted): reading a
    // height here would force a layout of the page on every call.
    for (let index = first; index <= last; index++) {
      let row = this.rendered.get(index);
      if (!row) {
        row = this.options.render(index);
        row.classList.add('virtual-row');
        row.dataset.index = String(index);
        this.element.append(row);
        this.rendered.set(index, row);
        this.resizes.observe(row);
      }
      row.style.transform = `translateY(${this.offsets[index]}px)`;
    }
    this.element.style.height = `${this.offsets[this.count] ?? 0}px`;
  }

  /**
   * A row changed size after it was placed (its math was typeset, a font arrived): the rows below
   * it move now, before the frame is painted, so rows never gap or overlap until the next scroll.
   */
  private onResize(entries: ResizeObserverEntry[]): void {
    if (this.viewport === undefined) {
      this.viewport = window.innerHeight;
      // Rows rendered for the screen's height beyond the viewport's go at the next frame.
      this.schedule();
    }
    const changed = new Map<number, HTMLElement>();
    for (const entry of entries) {
      const row = entry.target as HTMLElement;
      const index = Number(row.dataset.index);
      // A notice may still arrive for a row just replaced: only the row on screen counts.
      if (this.rendered.get(index) === row) changed.set(index, row);
    }
    if (!this.measure(changed)) return;
    // Shorter rows may bare space the rendered rows no longer fill; adding rows here, inside the
    // observer's callback, would make it report them again in the same frame.
    this.schedule();
  }

  /** Reads the heights of `rows`; when any changed, moves every rendered row to its new offset. */
  private measure(rows: Map<number, HTMLElement>): boolean {
    let measuredChange = false;
    for (const [index, row] of rows) {
      const height = row.offsetHeight;
      if (height > 0 && height !== this.heights[index]) {
        this.heights[index] = height;
        measuredChange = true;
      }
    }
    if (measuredChange) {
      this.offsetsValid = false;
      this.ensureOffsets();
      for (const [index, row] of this.rendered) row.style.transform = `translateY(${this.offsets[index]}px)`;
    }
    this.element.style.height = `${this.offsets[this.count] ?? 0}px`;
    if (measuredChange) this.held?.place();
    return measuredChange;
  }
}
