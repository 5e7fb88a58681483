/**
 * zod's side of host.ts: imported dynamically, so that zod's code and the protocol's schemas
 * initialise on first use — for a run, after the panel's first paint.
 */
import { z } from 'zod';
import { SampleSchema } from '../src/core/schemas.js';
import { HostMessageSchema, parseHostMessage } from '../src/protocol.js';

export { parseHostMessage };

const Samples = z.array(SampleSchema);
/** Milliseconds of parsing per task, so that checking a large run never blocks the page. */
const SLICE_MS = 8;

function describe(issue: z.core.$ZodIssue | undefined, prefix: (string | number)[] = []): string {
  if (!issue) return 'it does not parse';
  const path = [...prefix, ...issue.path].map(String).join('.');
  return `${path || 'the message'}: ${issue.message}`;
}

/** zod's first issue with a host message, or undefined when it parses. */
export function zodIssue(value: unknown): string | undefined {
  const parsed = HostMessageSchema.safeParse(value);
  return parsed.success ? undefined : describe(parsed.error.issues[0]);
}

/**
 * The same verdict as HostMessageSchema on a `run/show`, in slices: the message with its run's
 * samples left out (the run schema has no rule across samples), then the samples a few at a time.
 */
export async function zodRefusal(value: unknown): Promise<string | undefined> {
  const message = value as { run?: { samples?: unknown } };
  const samples = message.run?.samples;
  if (!Array.isArray(samples)) return zodIssue(value);
  const rest = zodIssue({ ...message, run: { ...message.run, samples: [] } });
  if (rest !== undefined) return rest;
  const all = [...samples];
  let start = performance.now();
  for (let i = 0; i < all.length; i++) {
    if (performance.now() - start > SLICE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      start = performance.now();
    }
    const parsed = Samples.safeParse([all[i]]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return describe(issue && { ...issue, path: issue.path.slice(1) }, ['run', 'samples', i]);
    }
  }
  return undefined;
}
