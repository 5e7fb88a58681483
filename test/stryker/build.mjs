// Stryker's sandbox build: the bundles from the instrumented sources, so the CLI tests that run
// dist/cli.js see the active mutant too. The sandbox gets its node_modules link first (Stryker
// would add it only after the build, and the panel bundle resolves zod by a relative path).
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const sandbox = process.cwd();
const modules = resolve(sandbox, '..', '..', 'node_modules');
if (!existsSync(join(sandbox, 'node_modules'))) symlinkSync(modules, join(sandbox, 'node_modules'), 'dir');
execFileSync(process.execPath, [join(sandbox, 'scripts', 'build.mjs')], { stdio: 'inherit' });
