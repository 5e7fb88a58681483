/** The keyboard help overlay, from the one key map (keys.ts). Built with `h()`. */
import { h, replace } from '../dom.js';
import { KEY_HELP } from '../keys.js';

export function renderHelp(element: HTMLElement, open: boolean): void {
  element.hidden = !open;
  if (element.childElementCount > 0) return;
  replace(
    element,
    h('h3', {}, 'Keyboard'),
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        ...KEY_HELP.map(([keys, what]) =>
          h('tr', {}, h('td', { class: 'keys' }, h('kbd', {}, keys)), h('td', {}, what)),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      'Every label is saved the moment you set it; a dot marks one not saved yet. Esc closes this.',
    ),
  );
}
