/**
 * The selects' bundle (selectEntry.ts) carries its own copy of the components a select uses
 * (vscode-icon, vscode-button), which the panel's bundle has defined already: the library keeps the
 * first definition and would warn about the second on every page. Imported first by selectEntry.ts.
 */
(window as unknown as Record<string, boolean>).__vscodeElements_disableRegistryWarning__ = true;
