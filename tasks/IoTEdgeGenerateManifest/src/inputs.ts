import * as tl from 'azure-pipelines-task-lib/task';

/** Every input of IoTEdgeGenerateManifest, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  templateFilePath: string;
  platform: string;
}

export function readInputs(): Inputs {
  return {
    templateFilePath: tl.getPathInput('templateFilePath', true, false)!,
    platform: tl.getInput('platform', true)!,
  };
}
