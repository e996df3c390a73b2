#!/usr/bin/env bash
# Bundles each Node.js module's app.js with its dependencies into modules/<name>/dist/app.js (esbuild), so the
# module images build without network access. Uses the repo's node_modules (azure-iot-device, esbuild).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
for m in SimulatedSensor FilterModule; do
  "$repo/node_modules/.bin/esbuild" "$here/modules/$m/app.js" --bundle --platform=node --target=node20 \
    --outfile="$here/modules/$m/dist/app.js" --log-level=warning --legal-comments=none \
    --external:bufferutil --external:utf-8-validate
done
echo "bundled SimulatedSensor and FilterModule"
