import type { z } from 'zod';
import { JsonSyntaxError } from './json.js';

export interface InputLocation {
  file: string;
  /** 1-based line in a text or JSONL file. */
  line?: number;
  /** 1-based row in a JSON array. */
  row?: number;
  /** Dotted path of the offending field, e.g. `question.problem` or `steps.3`. */
  field?: string;
}

/** Bad input from a user's file or stream: the message says where, so the user can fix it. */
export class InputError extends Error {
  constructor(
    readonly location: InputLocation,
    readonly detail: string,
  ) {
    super(`${describeLocation(location)}: ${detail}`);
    this.name = 'InputError';
  }
}

/**
 * An output folder whose finished results were made with other judges, prompts or sampling: adding
 * to it would mix incomparable results. The location is the folder's settings file.
 */
export class IncomparableFolderError extends InputError {
  override name = 'IncomparableFolderError';
}

export function describeLocation({ file, line, row, field }: InputLocation): string {
  const parts = [file];
  if (line !== undefined) parts.push(`line ${line}`);
  if (row !== undefined) parts.push(`row ${row}`);
  if (field !== undefined && field !== '') parts.push(`field "${field}"`);
  return parts.join(', ');
}

/** Turns the first zod issue into an InputError at the issue's field. */
export function inputErrorFromZod(where: Omit<InputLocation, 'field'>, error: z.ZodError): InputError {
  const [first, ...rest] = error.issues;
  const field = first?.path.map(String).join('.') ?? '';
  // Every problem is named, so fixing a file takes one round, not one per mistake.
  const more = rest.map((issue) => `${fieldText(issue.path)}${issueMessage(issue)}`);
  return new InputError(
    { ...where, field },
    `${first ? issueMessage(first) : 'invalid value'}${more.length > 0 ? `; also ${more.join('; ')}` : ''}`,
  );
}

function fieldText(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `field "${path.map(String).join('.')}": `;
}

/** An unknown key is most often a typo: a config that drops it would ignore the user's setting. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (misspelt? it would be ignored)`;
  return issue.message;
}

/** A JSON syntax error at a known place; the column and what was wrong go into the message. */
export function jsonInputError(where: Omit<InputLocation, 'field'>, error: unknown): InputError {
  if (!(error instanceof JsonSyntaxError)) throw error;
  return new InputError(where, `invalid JSON (column ${error.column}: ${error.problem})`);
}
