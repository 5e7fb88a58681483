/**
 * The dataset folder picker shared by Open Dataset Report and Open Audit Queue (src/host/datasetPick.ts),
 * with the window's pickers played by a script: the workspace's folders by name and path, the caller's
 * own items, the browse item last; each choice answered with what the user picked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OpenDialogOptions, QuickPickItem, QuickPickOptions, Uri } from 'vscode';
import { BROWSE_LABEL, type DatasetPickUi, pickDataset } from '../../src/host/datasetPick.js';

const uri = (fsPath: string) => ({ fsPath }) as Uri;
const AIME = uri('/work/space/.steplens/datasets/aime');
const GSM = uri('/work/space/.steplens/evaluations/gsm8k');

interface Script {
  /** Which shown item the user picks (by label), or undefined: Escape. */
  pick?: string;
  /** The folder chosen in the dialog, or undefined: cancelled. */
  dialog?: Uri;
}

function fakeUi(script: Script) {
  const shown: { labels: string[]; details: (string | undefined)[]; options: QuickPickOptions }[] = [];
  const dialogs: OpenDialogOptions[] = [];
  const ui: DatasetPickUi = {
    datasets: async () => [AIME, GSM],
    relative: (folder) => folder.fsPath.replace('/work/space/', ''),
    showQuickPick: async <T extends QuickPickItem>(items: readonly T[], options: QuickPickOptions) => {
      shown.push({
        labels: items.map((item) => item.label),
        details: items.map((item) => item.detail),
        options,
      });
      return items.find((item) => item.label === script.pick);
    },
    showOpenDialog: async (options) => {
      dialogs.push(options);
      return script.dialog ? [script.dialog] : undefined;
    },
  };
  return { ui, shown, dialogs };
}

const RUNS: QuickPickItem = { label: '$(list-unordered) Runs of this workspace' };

describe('the dataset folder picker', () => {
  test('lists the workspace folders by name and path, the caller’s items, then browse; a folder picked is returned', async () => {
    const { ui, shown, dialogs } = fakeUi({ pick: 'gsm8k' });
    assert.deepEqual(await pickDataset(ui, 'Audit which runs?', [RUNS]), { folder: GSM });
    assert.deepEqual(shown, [
      {
        labels: ['aime', 'gsm8k', RUNS.label, BROWSE_LABEL],
        details: ['.steplens/datasets/aime', '.steplens/evaluations/gsm8k', undefined, undefined],
        options: { title: 'Audit which runs?', matchOnDetail: true },
      },
    ]);
    assert.deepEqual(dialogs, []);
  });

  test('browse: a dialog for one folder, and the folder chosen there', async () => {
    const elsewhere = uri('/data/other-dataset');
    const { ui, shown, dialogs } = fakeUi({ pick: BROWSE_LABEL, dialog: elsewhere });
    assert.deepEqual(await pickDataset(ui, 'Open which dataset report?'), { folder: elsewhere });
    assert.deepEqual(shown[0]!.labels, ['aime', 'gsm8k', BROWSE_LABEL]);
    assert.deepEqual(dialogs, [
      {
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        title: 'A dataset folder (it holds dataset.json)',
      },
    ]);
  });

  test('the caller’s own item comes back as itself', async () => {
    const { ui, dialogs } = fakeUi({ pick: RUNS.label });
    const picked = await pickDataset(ui, 'Audit which runs?', [RUNS]);
    assert.ok(picked && 'item' in picked);
    assert.equal(picked.item, RUNS);
    assert.deepEqual(dialogs, []);
  });

  test('Escape in the list, or a cancelled dialog: nothing picked', async () => {
    assert.equal(await pickDataset(fakeUi({}).ui, 'Open which dataset report?'), undefined);
    assert.equal(
      await pickDataset(fakeUi({ pick: BROWSE_LABEL }).ui, 'Open which dataset report?'),
      undefined,
    );
  });
});
