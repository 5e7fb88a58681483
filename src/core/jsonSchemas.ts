import { z } from 'zod';
import { RunConfigSchema } from './config.js';
import { DatasetIndexSchema } from './dataset.js';
import { DatasetReportSchema } from './datasetReport.js';
import { ProblemSchema } from './problems.js';
import { AuditEventSchema, RunSchema } from './schemas.js';

const BASE_ID = 'https://steplens.dev/schemas/';

/** The published JSON Schema files, by file name, as the text written to disk. */
export function renderJsonSchemas(): Record<string, string> {
  const documents = {
    'run.schema.json': { schema: RunSchema, io: 'output', title: 'StepLens run' },
    'audit-event.schema.json': {
      schema: AuditEventSchema,
      io: 'output',
      title: 'StepLens audit event (one JSONL line)',
    },
    'config.schema.json': {
      schema: RunConfigSchema,
      io: 'input',
      title: 'StepLens analysis configuration (steplens.json)',
    },
    'dataset.schema.json': {
      schema: DatasetIndexSchema,
      io: 'output',
      title: 'StepLens dataset index (dataset.json of a dataset run)',
    },
    'dataset-report.schema.json': {
      schema: DatasetReportSchema,
      io: 'output',
      title: 'StepLens dataset report (report.json of a dataset run)',
    },
    'problem.schema.json': {
      schema: ProblemSchema,
      io: 'output',
      title: 'StepLens problem (steplens import output line)',
    },
  } as const;
  const out: Record<string, string> = {};
  for (const [name, { schema, io, title }] of Object.entries(documents)) {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
    out[name] = `${JSON.stringify({ $id: BASE_ID + name, title, ...json }, null, 2)}\n`;
  }
  return out;
}
