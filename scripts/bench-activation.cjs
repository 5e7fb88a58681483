// One cold activation (and the first use after it) of the bundled extension in a fresh Node process, with a minimal stand-in
// for the `vscode` module (only what activate() touches). Prints {"loadMs","activateMs","firstUseMs"}.
const Module = require('node:module');
const path = require('node:path');
const disposable = { dispose() {} };
const fakeVscode = {
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
    registerWebviewViewProvider: () => disposable,
    registerWebviewPanelSerializer: () => disposable,
  },
  commands: { registerCommand: () => disposable },
  workspace: {},
  Uri: { joinPath: (...parts) => ({ fsPath: parts.map(String).join('/') }) },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? fakeVscode : load.call(this, request, ...rest);
};
const started = performance.now();
const extension = require(path.join(__dirname, '..', 'dist', 'extension.js'));
const loaded = performance.now();
const api = extension.activate({
  subscriptions: [],
  globalStorageUri: { fsPath: '/tmp/steplens-bench' },
  extensionUri: { fsPath: '/tmp' },
  secrets: {},
});
const activated = performance.now();
// The first command or panel loads the host bundle; measured apart from activation.
void api.hub;
const firstUse = performance.now();
process.stdout.write(
  JSON.stringify({
    loadMs: loaded - started,
    activateMs: activated - loaded,
    firstUseMs: firstUse - activated,
  }),
);
