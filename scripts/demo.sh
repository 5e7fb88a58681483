#!/usr/bin/env bash
# StepLens's main job: the demo in a browser. Installs what it needs (npm and Debian packages,
# code-server), packages the extension, then starts code-server with it, the examples workspace and
# a local endpoint that replays recorded ProcessBench solutions with SCRIPTED judges
# (scripts/demo-endpoint.ts), and prints the URL. DEMO_PORT (8080) and DEMO_ENDPOINT_PORT (8000)
# move it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-code-server.sh
npm run --silent package >/dev/null
exec npx tsx scripts/demo.ts
