/** zod and the protocol's schemas as the panel's deferred asset (lazyAssets.ts), run after its first paint. */
import * as validators from './validators.js';

window.steplensValidators = validators;
