#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, builds, then runs mocha
# (unit, L0, packaging and integration tests against the real Docker engine and registry).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
exec npx --no-install mocha 'out/test/**/*.test.js' "$@"
