#!/usr/bin/env bash
# StepLens's main job, headless for now: read every example problem file and show what StepLens
# sees in it: problems, references, existing steps, and the answers it extracts from them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
node scripts/demo-summary.mjs
