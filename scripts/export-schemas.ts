/**
 * Writes the JSON Schema files under schemas/ from the zod schemas, so tools outside StepLens can
 * validate run files, audit logs and configs. `--check` fails when the committed files are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from '../src/core/jsonSchemas.js';

const dir = join(__dirname, '..', 'schemas');
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(renderJsonSchemas())) {
  const path = join(dir, name);
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`schemas/${name} is out of date: run npm run schemas`);
      stale += 1;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote schemas/${name}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
