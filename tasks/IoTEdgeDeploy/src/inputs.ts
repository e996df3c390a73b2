import * as tl from 'azure-pipelines-task-lib/task';

/** Every input of IoTEdgeDeploy, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  action: string;
  deploymentFilePath: string;
}

export function readInputs(): Inputs {
  return {
    action: tl.getInput('action', true)!,
    deploymentFilePath: tl.getInput('deploymentFilePath', true)!,
  };
}
