/**
 * Identifiers that come from files (run ids, judge ids) and end up as file names, CSV columns or
 * Markdown cells. One rule for all of them: a letter or digit first, then letters, digits, ".", "_"
 * or "-", at most 128 characters — so an id is always one harmless path component (never "..",
 * never a separator) and never starts like a spreadsheet formula.
 */
import { z } from 'zod';

export const SAFE_ID_MAX = 128;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const SafeIdSchema = z
  .string()
  .min(1)
  .max(SAFE_ID_MAX, `must be at most ${SAFE_ID_MAX} characters`)
  .regex(SAFE_ID, 'must start with a letter or digit and hold only letters, digits, ".", "_" or "-"');
