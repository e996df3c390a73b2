import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';

/** Every input of IoTEdgeBuildModuleImages, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  templateFilePath: string;
  platforms: string[];
  modules: string[];
  /** undefined: use BYPASS_MODULES from the environment/.env. */
  bypassModules?: string[];
  incremental: boolean;
  concurrency: number;
  resultsPath: string;
  source?: string;
  revision?: string;
  tempDir: string;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function readInputs(): Inputs {
  const tempDir = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
  const concurrencyText = tl.getInput('concurrency', false) || '2';
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new InputError(`Input "concurrency" must be a whole number from 1 to 16, got "${concurrencyText}".`, { field: 'concurrency' });
  }
  const bypass = tl.getInput('bypassModules', false);
  return {
    templateFilePath: tl.getPathInput('templateFilePath', true, true)!,
    platforms: list(tl.getInput('platforms', true)),
    modules: list(tl.getInput('modules', false)),
    bypassModules: bypass ? list(bypass) : undefined,
    incremental: tl.getBoolInput('incremental', false) || tl.getInput('incremental', false) === undefined,
    concurrency,
    resultsPath: tl.getInput('resultsPath', false) || path.join(tempDir, 'edgeops', 'build-results.json'),
    source: tl.getVariable('Build.Repository.Uri') || undefined,
    revision: tl.getVariable('Build.SourceVersion') || undefined,
    tempDir,
  };
}
