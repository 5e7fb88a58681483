/**
 * The one QuickPick that asks for a dataset folder (Open Dataset Report, Open Audit Queue): the
 * workspace's dataset folders, any choices of the caller's own, and a last item that browses for a
 * folder anywhere. No `vscode` import here (the window's pickers come in as `ui`), so it is tested in
 * Node; reportView.ts passes the real ones.
 */
import { basename } from 'node:path';
import type { OpenDialogOptions, QuickPickItem, QuickPickOptions, Uri } from 'vscode';

export interface DatasetPickUi {
  /** The workspace's dataset folders (reportView.ts's workspaceDatasets). */
  datasets(): Promise<Uri[]>;
  /** A folder's path as the workspace shows it. */
  relative(uri: Uri): string;
  showQuickPick<T extends QuickPickItem>(
    items: readonly T[],
    options: QuickPickOptions,
  ): Thenable<T | undefined>;
  showOpenDialog(options: OpenDialogOptions): Thenable<Uri[] | undefined>;
}

export const BROWSE_LABEL = '$(folder-opened) Browse for a folder holding dataset.json…';

/** What was picked: a folder (listed or browsed to), or one of the caller's own items. */
export type DatasetPick<E> = { folder: Uri } | { item: E };

/** Undefined: the pick or the folder dialog was dismissed. */
export async function pickDataset<E extends QuickPickItem>(
  ui: DatasetPickUi,
  title: string,
  items: readonly E[] = [],
): Promise<DatasetPick<E> | undefined> {
  const folders = (await ui.datasets()).map((uri) => ({
    label: basename(uri.fsPath),
    detail: ui.relative(uri),
    uri,
  }));
  const browse: QuickPickItem = { label: BROWSE_LABEL };
  const picked = await ui.showQuickPick<QuickPickItem>([...folders, ...items, browse], {
    title,
    matchOnDetail: true,
  });
  if (picked === undefined) return undefined;
  const listed = folders.find((folder) => folder === picked);
  if (listed) return { folder: listed.uri };
  if (picked !== browse) return { item: picked as E };
  const uris = await ui.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    title: 'A dataset folder (it holds dataset.json)',
  });
  return uris?.[0] ? { folder: uris[0] } : undefined;
}
