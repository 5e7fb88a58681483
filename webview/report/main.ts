/**
 * The Dataset Report view's script: the problems table under `#problems-app`. The plots and the
 * other tables are the host's script-free page (src/reportHtml.ts); this adds only the table. Host
 * messages are parsed with the protocol's zod schemas; what does not parse is dropped and logged.
 */
import type { ProblemRow } from '../../src/core/reportProblems.js';
import { parseReportHostMessage, type ReportWebviewMessage } from '../../src/protocol.js';
import { textField } from '../components.js';
import { DEFAULT_VIEW, type TableView } from './rows.js';
import { ProblemsTable } from './table.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

const acquire = (window as unknown as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
const root = document.getElementById('problems-app');

if (root && acquire) {
  const api = acquire();
  const post = (message: ReportWebviewMessage) => api.postMessage(message);
  const saved = api.getState() as Partial<TableView> | undefined;
  const view: TableView = {
    sort: typeof saved?.sort === 'string' ? saved.sort : DEFAULT_VIEW.sort,
    descending: saved?.descending === true,
    filter: typeof saved?.filter === 'string' ? saved.filter : '',
  };
  const open = (row: ProblemRow) => {
    const at = row.firstDisagreement;
    post({
      type: 'report/openRun',
      run: row.run,
      ...(at ? { sample: at.sample, step: at.step, prm: at.prm } : {}),
    });
  };
  // The folder comes from the host; kept beside the table's view so a reload restores both.
  let folder =
    typeof (saved as { folder?: unknown } | undefined)?.folder === 'string'
      ? (saved as { folder: string }).folder
      : undefined;
  let current = view;
  const keep = () => api.setState({ ...current, ...(folder ? { folder } : {}) });
  const table = new ProblemsTable(root, textField(view.filter, 'Filter by id or subset ( / )'), view, {
    open,
    viewChanged: (next) => {
      current = next;
      keep();
    },
  });
  const status = document.getElementById('problems-status');
  window.addEventListener('message', (event: MessageEvent) => {
    const message = parseReportHostMessage(event.data);
    if (!message) {
      post({
        type: 'log/error',
        message: `dropped a host message that does not parse: ${String((event.data as { type?: unknown })?.type)}`,
      });
      return;
    }
    if (message.type === 'report/folder') {
      folder = message.folder;
      keep();
      return;
    }
    table.show({ methods: message.methods, rows: message.rows });
    if (status) {
      const time = new Date(message.read).toLocaleTimeString();
      status.textContent = message.complete
        ? `Read at ${time}; refreshed when dataset.json or report.json change.`
        : `Partial: ${message.rows.length} problem(s) finished so far (read at ${time}). The view refreshes when the run writes dataset.json and report.json.`;
      status.classList.toggle('warn', !message.complete);
    }
  });
  post({ type: 'ready' });
} else if (root) {
  root.textContent = 'The problems table needs the VS Code webview.';
}
