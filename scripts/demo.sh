#!/usr/bin/env bash
# The main job: the local dev → qa → prod release demo on one machine (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
node out/scripts/package.js --tasks-only
exec node out/scripts/demo/main.js "$@"
