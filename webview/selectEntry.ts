/**
 * The panel's selects (the samples' filters and order, the PRM compared) as a deferred asset
 * (lazyAssets.ts), defined after the first paint. Each one's first render reads its own box
 * (getBoundingClientRect) and its list's scroll area measures itself: before the first paint that
 * forced a layout of the whole page per select. Until defined, a select shows its chosen option in
 * a face of its own size (styles.css), so nothing moves when it upgrades; the value and options set
 * meanwhile are taken over by the upgrade.
 */
// First, as a bare import (which import sorting leaves in place): before the components define themselves.
import './selectRegistry.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';

performance.mark('steplens:selects');
