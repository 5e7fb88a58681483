/**
 * What the panel must tell before anything else: audit lines that could not be read, labels the
 * host could not save (sticky, with Retry), read-only. Built with `h()`.
 */
import { button, icon } from '../components.js';
import { h, plural, replace } from '../dom.js';
import { describeLabel } from '../saves.js';
import type { PanelState } from '../state.js';
import type { Dispatch } from './labels.js';

export function renderStatus(element: HTMLElement, state: PanelState, dispatch: Dispatch): void {
  replace(element);
  const skipped = state.skipped;
  if (skipped && state.showSkipped()) {
    const named = skipped.lines.map(({ line, reason }) => `line ${line}: ${reason}`);
    if (skipped.count > named.length) named.push(`and ${skipped.count - named.length} more`);
    element.append(
      h(
        'div',
        { class: 'warning skipped-lines' },
        h(
          'div',
          {},
          icon('warning'),
          ` ${plural(skipped.count, 'audit line')} could not be read: ${named.join('; ')}.`,
        ),
        h('div', { class: 'muted' }, `Their labels are not shown. Log: ${skipped.log}`),
        button('Dismiss', () => dispatch({ kind: 'dismissSkipped' }), { secondary: true }),
      ),
    );
  }
  if (state.readOnly && state.run)
    element.append(h('div', { class: 'note' }, 'Read-only view: labels cannot be changed here.'));
}

/**
 * Which labels the host could not save, and why; Retry posts each label's latest change again.
 * Failures usually share one cause (a full disk, a read-only folder): each cause is said once,
 * with the labels it hit, so the notice stays short in a narrow side bar. Returns what it says:
 * the caller redraws it only when that changes, so it is announced once.
 */
export function saveNoticeText(state: PanelState): string {
  return JSON.stringify(state.saves.failures().map((label) => [label.key, label.requestId, label.message]));
}

export function renderSaveNotice(element: HTMLElement, state: PanelState, dispatch: Dispatch): void {
  const failures = state.saves.failures();
  element.hidden = failures.length === 0;
  if (failures.length === 0) {
    replace(element);
    return;
  }
  const SHOWN = 5;
  const byCause = new Map<string, string[]>();
  for (const label of failures) {
    const cause = label.message ?? 'unknown error';
    byCause.set(cause, [...(byCause.get(cause) ?? []), describeLabel(label.event)]);
  }
  let room = SHOWN;
  const causes = [...byCause].map(([cause, labels]) => {
    const listed = labels.slice(0, Math.max(0, room));
    room -= listed.length;
    return h(
      'div',
      { class: 'cause' },
      h('div', { class: 'reason' }, cause),
      listed.length > 0 ? h('ul', {}, ...listed.map((label) => h('li', {}, label))) : null,
    );
  });
  replace(
    element,
    h(
      'div',
      { class: 'warning' },
      h('div', { class: 'notice-head' }, icon('warning'), ` ${plural(failures.length, 'label')} not saved`),
      ...causes,
      failures.length > SHOWN ? h('div', {}, `and ${failures.length - SHOWN} more`) : null,
      h(
        'div',
        { class: 'actions' },
        button('Retry', () => dispatch({ kind: 'retrySaves' }), { title: 'save these labels again' }),
        h('span', { class: 'muted' }, 'Until saved they are not in the audit log.'),
      ),
    ),
  );
}
