import * as tl from 'azure-pipelines-task-lib/task';

/** Every input of IoTEdgeSmokeTest, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export interface Inputs {
  connectionType: string;
  deploymentId: string;
}

export function readInputs(): Inputs {
  return {
    connectionType: tl.getInput('connectionType', true)!,
    deploymentId: tl.getInput('deploymentId', true)!,
  };
}
