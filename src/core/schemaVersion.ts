/**
 * The version of the run and audit-event files. Its own module, without zod: the panel stamps audit
 * events with it and must not initialise the schemas (and zod) before its first paint.
 */
export const SCHEMA_VERSION = 1;
