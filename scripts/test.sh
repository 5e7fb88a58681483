#!/usr/bin/env bash
# The one test command: set-up, lint, types, build, then every test layer in one runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] lint";      npm run --silent lint
echo "[test] typecheck"; npm run --silent typecheck
echo "[test] build";     npm run --silent build
echo "[test] schemas";   npx tsx scripts/export-schemas.ts --check
echo "[test] tests"
node --import tsx --test --test-concurrency=2 test/unit/*.test.ts test/webview/*.test.ts
