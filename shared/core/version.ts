import * as fs from 'fs';
import * as path from 'path';

/** The product version, read from the repo's package.json (one source of truth, bumped by scripts/version-bump). */
export function productVersion(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'edgeops' && json.version) return json.version;
    }
  }
  return '0.0.0-unknown';
}
