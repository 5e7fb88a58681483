/**
 * The one module that knows the component library (@vscode-elements/elements, the maintained
 * successor of the sunset @vscode/webview-ui-toolkit). Swapping libraries means editing this file
 * (and selectEntry.ts: the selects are defined after the panel's first paint, lazyAssets.ts).
 *
 * A component's initial state is given as attributes, not properties: the first frame of a
 * standalone page is drawn before any component is defined (webview/prerender), and only
 * attributes survive into its markup; styles.css draws each one's face until it is defined.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { defineSelectsAfterPaint } from './lazyAssets.js';

export function button(
  label: string,
  onClick: () => void,
  options: { secondary?: boolean; title?: string } = {},
): HTMLElement {
  const element = document.createElement('vscode-button');
  element.textContent = label;
  if (options.secondary) element.setAttribute('secondary', '');
  if (options.title) element.title = options.title;
  element.addEventListener('click', onClick);
  return element;
}

export function badge(text: string, title?: string): HTMLElement {
  const element = document.createElement('vscode-badge');
  element.textContent = text;
  if (title) element.title = title;
  return element;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const element = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  element.setAttribute('label', label);
  element.toggleAttribute('checked', checked);
  element.addEventListener('change', () => onChange(element.checked));
  return element;
}

export function progressBar(value: number | undefined, max = 1): HTMLElement {
  const element = document.createElement('vscode-progress-bar');
  if (value === undefined) element.setAttribute('indeterminate', '');
  else {
    element.setAttribute('max', String(max));
    element.setAttribute('value', String(value));
  }
  return element;
}

export function collapsible(heading: string, content: HTMLElement, open = false): HTMLElement {
  const element = document.createElement('vscode-collapsible');
  element.setAttribute('heading', heading);
  element.toggleAttribute('open', open);
  element.append(content);
  return element;
}

export interface SelectOption {
  value: string;
  label: string;
  /** More about the option (an answer's TeX source): its tooltip, and in the open list the line under it. */
  title?: string;
}

export function select(
  options: SelectOption[],
  value: string,
  onChange: (value: string) => void,
): HTMLElement {
  const element = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  defineSelectsAfterPaint();
  setOptions(element, options, value);
  element.addEventListener('change', () => onChange(element.value));
  return element;
}

/**
 * Changes a select's options and value in place: the element stays, so it keeps the focus and
 * an open list is not torn from under the person choosing in it. Options equal to the ones
 * there are left alone.
 */
export function setOptions(element: HTMLElement, options: SelectOption[], value: string): void {
  const select = element as HTMLElement & { value: string };
  const items = [...element.querySelectorAll<HTMLElement & { value: string }>('vscode-option')];
  const same =
    items.length === options.length &&
    items.every(
      (item, i) =>
        item.value === options[i]!.value &&
        item.textContent === options[i]!.label &&
        item.title === (options[i]!.title ?? ''),
    );
  if (!same) {
    element.replaceChildren(
      ...options.map((option) => {
        const item = document.createElement('vscode-option') as HTMLElement & { value: string };
        item.value = option.value;
        item.textContent = option.label;
        if (option.title !== undefined) {
          item.title = option.title;
          // The open list is drawn in the select's shadow root, where the title is not: the
          // description line under the list shows it for the option under the cursor or keys (an
          // attribute: a page drawn before the component is defined keeps it).
          item.setAttribute('description', option.title);
        }
        return item;
      }),
    );
  }
  if (!same || select.value !== value) select.value = value;
  // What a select not defined yet shows (styles.css): its chosen option, as the defined one will.
  for (const item of element.children)
    item.toggleAttribute('data-chosen', (item as HTMLElement & { value: string }).value === value);
}

export function textField(value: string, placeholder: string): HTMLElement & { value: string } {
  const element = document.createElement('vscode-textfield') as HTMLElement & { value: string };
  element.setAttribute('value', value);
  element.setAttribute('placeholder', placeholder);
  return element;
}

/**
 * The keys of a note field (the panel's and the queue's): Enter saves the text, Escape cancels, and
 * no typed key reaches the page's shortcuts. An Enter or Escape that an input method uses to end or
 * drop a composition (Japanese, Chinese…) is the input method's: acting on it saved a half-written
 * note. A key with Ctrl, Cmd or Alt, or a function key, is VS Code's (F1, Ctrl+P, Ctrl+Tab…): its
 * webview forwards keys to the workbench from a keydown listener on the window, so such a key must
 * reach the window; stopping it there left every VS Code shortcut dead while the field had focus.
 *
 * The field takes the focus with the caret after its text, never with the text selected (Tab and
 * a script's focus() select all of it in Chromium): the next key typed replaced the whole draft.
 */
export function noteFieldKeys(
  field: HTMLElement & { value: string },
  save: (text: string) => void,
  cancel: () => void,
): void {
  field.addEventListener('keydown', (event: KeyboardEvent) => {
    if (isWorkbenchKey(event)) return;
    event.stopPropagation();
    // keyCode 229: the key an input method took (Safari sends the composition's last Enter so).
    if (event.isComposing || event.keyCode === 229) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      save(field.value);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  field.addEventListener('focus', () => caretAtEnd(field));
}

/**
 * A key VS Code may bind (with Ctrl, Cmd or Alt, or F1…F24): never text typed into a field. AltGr
 * types text (@, €, { on many layouts), though Windows reports it as Ctrl+Alt.
 */
export function isWorkbenchKey(event: KeyboardEvent): boolean {
  if (event.getModifierState('AltGraph')) return false;
  return event.ctrlKey || event.metaKey || event.altKey || /^F\d{1,2}$/.test(event.key);
}

/** Puts a text field's caret after its text (a vscode-textfield's input is in its shadow root). */
function caretAtEnd(field: HTMLElement): void {
  const input = field instanceof HTMLInputElement ? field : field.shadowRoot?.querySelector('input');
  if (!input) return;
  const end = input.value.length;
  input.setSelectionRange(end, end);
}

/**
 * Focuses a component once it has rendered: until then its shadow root holds no input to take the
 * focus, and the keys typed next would go to the page (and its shortcuts) instead. Only while this
 * page has the focus: a webview's focus() pulls the keyboard out of whatever VS Code part (another
 * StepLens view, an editor) the person is typing in, and their keys went into this page instead.
 */
export function focusWhenReady(element: HTMLElement): void {
  const focus = () => {
    if (element.isConnected && document.hasFocus()) element.focus();
  };
  const rendered = (element as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  if (rendered) void rendered.then(focus);
  else focus();
}

/** A codicon glyph (the font ships with the panel). */
export function icon(name: string, title?: string): HTMLElement {
  const element = document.createElement('span');
  element.className = `codicon codicon-${name}`;
  element.setAttribute('aria-hidden', title ? 'false' : 'true');
  if (title) {
    element.title = title;
    element.setAttribute('role', 'img');
    element.setAttribute('aria-label', title);
  }
  return element;
}
