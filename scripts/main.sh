#!/usr/bin/env bash
# The main job: prepare the machine, build, package the .vsix and show what the edgeops CLI offers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
node out/scripts/package.js
node bin/edgeops.js --help
