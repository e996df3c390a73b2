import * as tl from 'azure-pipelines-task-lib/task';

/** Every input of IoTEdgePushModuleImages, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  templateFilePath: string;
  platforms: string[];
}

export function readInputs(): Inputs {
  return {
    templateFilePath: tl.getPathInput('templateFilePath', true, false)!,
    platforms: tl.getDelimitedInput('platforms', ',', true).map((p) => p.trim()).filter(Boolean),
  };
}
