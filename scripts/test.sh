#!/usr/bin/env bash
# The one test command: set-up (npm packages, Debian packages, code-server), lint, types, build,
# package, then every layer — unit, webview (Chromium), integration and end to end (code-server) —
# in one test runner, ending with its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-code-server.sh
echo "[test] lint";      npm run --silent lint
echo "[test] typecheck"; npm run --silent typecheck
echo "[test] schemas";   npx tsx scripts/export-schemas.ts --check
echo "[test] package";   npm run --silent package >/dev/null
echo "[test] build";     node scripts/build.mjs --tests
echo "[test] tests"
node --import tsx --test --test-concurrency=2 \
  test/unit/*.test.ts test/webview/*.test.ts test/e2e/*.test.ts
