/** Ids the manifest and the code share; no imports, so the activation bundle stays tiny. */
export const COMMAND_IDS = {
  analyzeProblem: 'steplens.analyzeProblem',
  scoreExistingSteps: 'steplens.scoreExistingSteps',
  evaluateJudges: 'steplens.evaluateJudges',
  evaluateDataset: 'steplens.evaluateDataset',
  resumeDataset: 'steplens.resumeDataset',
  /** Argument: the Datasets view's node of a complete dataset with failed samples; asks first. */
  askFailedAgain: 'steplens.askFailedAgain',
  refreshDatasets: 'steplens.refreshDatasets',
  openRun: 'steplens.openRun',
  /** Argument: the dataset folder (a vscode.Uri; a path or an object with `uri`/`resourceUri` also do). */
  openDatasetReport: 'steplens.openDatasetReport',
  /** Argument: the dataset folder (a path, a vscode.Uri, or the Datasets view's node). */
  openAuditQueue: 'steplens.openAuditQueue',
  rescoreRun: 'steplens.rescoreRun',
  exportAudits: 'steplens.exportAudits',
  setApiKey: 'steplens.setApiKey',
  testConnection: 'steplens.testConnection',
  showLog: 'steplens.showLog',
  openInEditor: 'steplens.openInEditor',
  switchAnnotator: 'steplens.switchAnnotator',
  /** Argument: a dataset folder (path, Uri, or the Datasets view's node); none: a pick including the open run. */
  adjudicate: 'steplens.adjudicate',
} as const;

export const VIEW_ID = 'steplens.panel';
export const DATASETS_VIEW_ID = 'steplens.datasets';
export const EDITOR_PANEL_TYPE = 'steplens.run';
export const REPORT_PANEL_TYPE = 'steplens.datasetReport';
export const QUEUE_PANEL_TYPE = 'steplens.auditQueue';
