import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

export function fixturePath(...parts: string[]): string {
  return join(ROOT, 'test', 'fixtures', ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export interface ProcessBenchRow {
  id: string;
  generator: string;
  problem: string;
  steps: string[];
  final_answer_correct: boolean;
  label: number;
}

export function processBenchRows(): ProcessBenchRow[] {
  return readFixture('processbench_sample_40.jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ProcessBenchRow);
}
