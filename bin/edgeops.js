#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript in out/ (npm run build).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'out', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('edgeops is not built yet: run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(entry).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
