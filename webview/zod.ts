/**
 * The panel's zod: the same classic schema builders, without the locales and JSON-Schema code that
 * the package's main entry brings along (half of the panel bundle otherwise). The webview build
 * points `zod` here; types still come from the real package. English messages: the webview only
 * logs parse failures, so the core's default messages suffice.
 */
import * as iso from '../node_modules/zod/v4/classic/iso.js';
import * as schemas from '../node_modules/zod/v4/classic/schemas.js';

export const z = { ...schemas, iso };
