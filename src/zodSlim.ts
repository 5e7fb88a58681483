/**
 * The zod every bundle carries (scripts/build.mjs points `zod` here; types still come from the real
 * package): the classic schema builders and iso formats, without the forty locales, the JSON-Schema
 * generator and the other entry points the package's main entry brings along. That was half of the
 * panel's bundle, and a third of host.js, which the first StepLens command loads. Messages are
 * English: zod registers its English locale when the first schema is built. The JSON Schemas the
 * code needs at run time are written out where they are used, and a unit test compares each with
 * what the full zod generates (src/llm/critic.ts).
 */
import * as iso from '../node_modules/zod/v4/classic/iso.js';
import * as schemas from '../node_modules/zod/v4/classic/schemas.js';

export const z = { ...schemas, iso };
