import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';
import { ValidationMode } from '../../../shared/manifest';

/** Every input of IoTEdgeGenerateManifest, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  templateFilePath: string;
  platform: string;
  outputPath?: string;
  pushResultsPath?: string;
  validate: ValidationMode;
  envFile?: string;
  allowLiteralDollar: boolean;
  includeRegistryPasswords: boolean;
  /** Base for relative paths: the pipeline's working directory. */
  cwd: string;
}

/** AzureIoTEdge@2's validateGeneratedDeploymentManifest is true/false; ours is error/warning/off. */
function validationMode(raw: string | undefined): ValidationMode {
  const v = (raw ?? 'error').trim().toLowerCase();
  if (v === '' || v === 'error' || v === 'true') return 'error';
  if (v === 'warning' || v === 'false') return 'warning';
  if (v === 'off') return 'off';
  throw new InputError(`Input validateSchema must be error, warning or off, got "${raw}"`, { field: 'validateSchema' });
}

function optionalPath(name: string): string | undefined {
  // getPathInput returns the repository root for an empty filePath input; only take explicit values.
  const raw = tl.getInput(name, false);
  return raw && raw.trim() ? raw.trim() : undefined;
}

export function readInputs(): Inputs {
  return {
    templateFilePath: tl.getPathInput('templateFilePath', true, false)!,
    platform: tl.getInput('platform', true)!.trim(),
    outputPath: optionalPath('outputPath'),
    pushResultsPath: optionalPath('pushResultsPath'),
    validate: validationMode(tl.getInput('validateSchema', false)),
    envFile: optionalPath('envFile'),
    allowLiteralDollar: tl.getBoolInput('allowLiteralDollar', false),
    includeRegistryPasswords: tl.getBoolInput('includeRegistryPasswords', false),
    cwd: tl.getVariable('System.DefaultWorkingDirectory') || process.cwd(),
  };
}
