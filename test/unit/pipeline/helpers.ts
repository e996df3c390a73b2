import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildPipeline, Pipeline } from '../../../cli/pipeline/model';
import { readYamlFile } from '../../../cli/pipeline/source';
import { expandPipeline } from '../../../cli/pipeline/template';

/** Writes files into a fresh temp folder and returns its path. */
export function tempFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-pl-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Expands and builds azure-pipelines.yml from the given files. */
export function load(files: Record<string, string>, params: Record<string, string> = {}, vars: Record<string, string> = {}): Pipeline {
  const dir = tempFiles(files);
  const file = path.join(dir, 'azure-pipelines.yml');
  const src = expandPipeline(readYamlFile(file), file, dir, params, vars);
  return buildPipeline(src.root, file);
}
