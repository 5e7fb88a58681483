/**
 * A step's labels: the rating and who-was-right chips, the note and the field to write one, and
 * the marks that say a label is not saved yet (or could not be), or that the sample's labels
 * contradict each other. Built with `h()`; marks are repainted in place (paintMarks) so that a
 * save answer never re-renders a row being worked on.
 */
import { conflictSteps, labelConflictSentence, labelConflicts } from '../../src/core/labelConflicts.js';
import { icon, noteFieldKeys, textField } from '../components.js';
import { type Child, h, replace } from '../dom.js';
import { describeLabel, labelKeys } from '../saves.js';
import type { PanelAction, PanelState } from '../state.js';

export type Dispatch = (action: PanelAction) => void;

/** `element` shows label `key`'s value: it is drawn unsaved while the label is. */
export function marked(state: PanelState, element: HTMLElement, key: string): HTMLElement {
  element.dataset.labelKey = key;
  paintMark(state, element);
  return element;
}

/** The mark beside label `key`: empty and hidden once the label is saved. */
export function saveMark(state: PanelState, key: string): HTMLElement {
  return marked(state, h('span', { class: 'save-mark' }), key);
}

export function paintMark(state: PanelState, element: HTMLElement): void {
  const label = state.saves.state(element.dataset.labelKey ?? '');
  if (!element.classList.contains('save-mark')) {
    if (!label && element.classList.contains('while-unsaved')) {
      element.remove();
      return;
    }
    element.classList.toggle('unsaved', label !== undefined);
    element.classList.toggle('save-failed', label?.status === 'failed');
    return;
  }
  element.classList.toggle('pending', label?.status === 'pending');
  element.classList.toggle('failed', label?.status === 'failed');
  if (!label) {
    element.hidden = true;
    element.removeAttribute('title');
    replace(element);
    return;
  }
  element.hidden = false;
  const what = describeLabel(label.event);
  if (label.status === 'pending') {
    element.title = `${what}: not saved yet`;
    // The dot VS Code puts on an unsaved editor; the words are for screen readers.
    replace(element, icon('circle-filled'), h('span', { class: 'sr-only' }, 'not saved yet'));
  } else {
    element.title = `${what}: not saved (${label.message ?? 'unknown error'})`;
    replace(element, icon('warning'), h('span', { class: 'save-mark-text' }, 'not saved'));
  }
}

/** Redraws, where they are on screen, the marks of label `key`. */
export function paintMarks(state: PanelState, root: HTMLElement, key: string): void {
  for (const element of root.querySelectorAll<HTMLElement>(`[data-label-key="${CSS.escape(key)}"]`))
    paintMark(state, element);
  // Any label change may start or end a contradiction on rows it does not redraw (a first-error
  // mark redraws only its old and new rows; the −1 it contradicts may be elsewhere on screen).
  for (const element of root.querySelectorAll<HTMLElement>('.label-conflict')) paintConflict(state, element);
}

/**
 * Where the sample's first-error mark and its ratings contradict each other: the selected step's
 * labels say how, in words (the person is labelling there, in either order, and is never stopped);
 * each step whose rating takes part says that it does.
 */
function conflictNote(state: PanelState, sample: number, step: number): HTMLElement {
  const element = h('div', { class: 'label-conflict' });
  element.dataset.conflictSample = String(sample);
  element.dataset.conflictStep = String(step);
  paintConflict(state, element);
  return element;
}

function paintConflict(state: PanelState, element: HTMLElement): void {
  const sample = Number(element.dataset.conflictSample);
  const step = Number(element.dataset.conflictStep);
  const conflicts = labelConflicts(state.labels[sample]);
  const selected = sample === state.view.sample && step === state.view.step;
  const involved = conflictSteps(conflicts).includes(step);
  if (conflicts.length === 0 || (!selected && !involved)) {
    element.hidden = true;
    replace(element);
    return;
  }
  element.hidden = false;
  replace(
    element,
    icon('warning'),
    selected ? ` ${labelConflictSentence(conflicts)}` : ' This rating contradicts the first-error mark.',
  );
}

export function renderLabelControls(
  state: PanelState,
  dispatch: Dispatch,
  sample: number,
  step: number,
  disagree: boolean,
): HTMLElement {
  const stepLabels = state.labels[sample]?.steps[step];
  /** One label chip: pressed when the label is set; clicking selects the step and sets it. */
  const chip = (
    kind: string,
    text: string,
    title: string,
    active: boolean,
    key: string,
    set: PanelAction,
  ) => {
    const element = h(
      'button',
      {
        class: `chip ${kind}${active ? ' active' : ''}`,
        'aria-pressed': active ? 'true' : 'false',
        title,
        type: 'button',
      },
      text,
    );
    element.addEventListener('click', () => {
      dispatch({ kind: 'selectStep', step, scroll: false });
      dispatch(set);
    });
    if (state.readOnly) element.setAttribute('disabled', '');
    return active ? marked(state, element, key) : element;
  };
  const ratingKey = labelKeys.rating(sample, step);
  const ratingChip = (rating: -1 | 0 | 1, text: string, keyName: string) =>
    chip(
      `rating r${rating}`,
      text,
      `rate ${text} (key ${keyName})`,
      stepLabels?.rating === rating,
      ratingKey,
      {
        kind: 'rate',
        rating,
      },
    );
  const controls = h(
    'div',
    { class: 'labels' },
    ratingChip(-1, '−1', '1'),
    ratingChip(0, '0', '2'),
    ratingChip(1, '+1', '3'),
    saveMark(state, ratingKey),
  );
  const prm = state.view.prm;
  if (prm === undefined) {
    controls.append(conflictNote(state, sample, step));
    return controls;
  }
  const who = stepLabels?.who?.[prm];
  const whoKey = labelKeys.who(sample, step, prm);
  if (disagree) {
    const whoChip = (value: 'self' | 'prm' | 'both' | 'neither', text: string, keyName: string) =>
      chip('who', text, `who was right: ${value} (key ${keyName})`, who === value, whoKey, {
        kind: 'who',
        who: value,
      });
    controls.append(
      h(
        'span',
        { class: 'who-group' },
        h('span', { class: 'muted who-label' }, 'right:'),
        whoChip('self', 'Self', 's'),
        whoChip('prm', 'PRM', 'p'),
        whoChip('both', 'Both', 'b'),
        whoChip('neither', 'Neither', 'x'),
        saveMark(state, whoKey),
      ),
    );
  } else if (who || state.saves.state(whoKey)) {
    controls.append(h('span', { class: 'muted who-label' }, `right: ${who ?? '–'}`), saveMark(state, whoKey));
  }
  controls.append(conflictNote(state, sample, step));
  return controls;
}

/** The step's note, or (while that is unsaved) the word that it was removed. */
export function renderNote(state: PanelState, sample: number, step: number): HTMLElement | null {
  const note = state.labels[sample]?.steps[step]?.note;
  const key = labelKeys.note(sample, step);
  if (note)
    return marked(
      state,
      h('div', { class: 'step-note' }, icon('note'), ` ${note}`, saveMark(state, key)),
      key,
    );
  if (!state.saves.state(key)) return null;
  // Gone from the row once the removal is saved (see paintMark).
  return marked(
    state,
    h('div', { class: 'step-note while-unsaved' }, icon('note'), ' note removed', saveMark(state, key)),
    key,
  );
}

/**
 * The field a note is written in, while one is (the state keeps its text, so a redraw of the row
 * keeps what was typed). Its typed keys never reach the panel's shortcuts; Enter saves, Escape cancels.
 */
export function renderNoteField(state: PanelState, dispatch: Dispatch): Child {
  const note = state.note;
  if (!note) return null;
  const field = textField(note.text, 'Note on this step; Enter saves, Esc cancels');
  field.classList.add('note-field');
  field.setAttribute('aria-label', `Note on step ${note.step}`);
  field.addEventListener('input', () => dispatch({ kind: 'noteInput', text: field.value }));
  noteFieldKeys(
    field,
    (text) => {
      dispatch({ kind: 'noteInput', text });
      dispatch({ kind: 'noteSave' });
    },
    () => dispatch({ kind: 'noteCancel' }),
  );
  // Typing in the field is not a click on the row (which would select it and redraw the row).
  field.addEventListener('click', (event) => event.stopPropagation());
  // Not focused here: a row is drawn again for many reasons (another view's label, a save answer,
  // a page VS Code loaded again), and only the person opening the note in this page or a field
  // that had the focus may take it (app.ts).
  return h('div', { class: 'note-editor' }, field);
}
