/**
 * Where a webview finds the extension's bundles: files of dist/ as webview URIs, and the panel's
 * deferred assets (KaTeX, zod, the selects: src/webviewHtml.ts panelDeferredAssets) that the panel,
 * the audit queue and the adjudication view load after their first paint.
 */
import * as vscode from 'vscode';
import { type DeferredAsset, panelDeferredAssets } from '../webviewHtml.js';

export interface WebviewAssets {
  /** A file of dist/ (a bundle, a stylesheet) as this webview loads it. */
  uri(name: string): string;
  deferred: { inline: boolean; assets: Record<string, DeferredAsset> };
}

export function webviewAssets(webview: vscode.Webview, extensionUri: vscode.Uri): WebviewAssets {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const uri = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(dist, name)).toString();
  return { uri, deferred: panelDeferredAssets(uri, false) };
}
