import * as tl from 'azure-pipelines-task-lib/task';
import { runTask, uploadSummary } from '../../_common/src/run-task';
import { taskLogger } from '../../_common/src/task-logger';
import { credentialFor } from '../../../shared/auth/azure-credential';
import { createHubClients } from '../../../shared/hub';
import { registryHub, renderDeploymentId, renderSeries, runDeploy, runRollback } from '../../../shared/deploy';
import { Inputs, readInputs } from './inputs';

function connect(inp: Inputs) {
  if (inp.hub.kind === 'connectionString') {
    return createHubClients({ connectionString: inp.hub.connectionString, caFile: inp.hub.caFile, log: taskLogger });
  }
  return createHubClients({ hostName: inp.hub.hostName, credential: credentialFor(inp.hub.connection, taskLogger), log: taskLogger });
}

function output(name: string, value: string | number | undefined): void {
  tl.setVariable(name, value === undefined ? '' : String(value), false, true);
}

runTask(__dirname, async () => {
  const inp = readInputs();
  const clients = connect(inp);
  const hub = registryHub(clients.registry, clients.hostName, { logger: taskLogger, auth: inp.authDescription });
  if (inp.action === 'rollback') {
    const id = inp.rollbackId ?? renderDeploymentId(inp.idTemplate, inp.idVars);
    const r = await runRollback({ hub, logger: taskLogger, id, series: renderSeries(inp.idTemplate, inp.idVars), mode: inp.rollbackMode, summaryDir: inp.summaryDir });
    output('DEPLOYMENT_ID', id);
    output('PREVIOUS_DEPLOYMENT_ID', r.result.restored?.id);
    output('TARGETED_DEVICE_COUNT', r.result.restored?.targetedDeviceCount);
    output('SUMMARY_PATH', r.summaryPath);
    uploadSummary(r.markdownPath);
    tl.setResult(tl.TaskResult.Succeeded, `Rolled back ${id}${r.result.restored ? `; restored ${r.result.restored.id}` : ''}.`);
    return;
  }
  const r = await runDeploy({
    hub, logger: taskLogger, manifestPattern: inp.manifestPattern, cwd: inp.cwd, idTemplate: inp.idTemplate, idVars: inp.idVars, labelInfo: inp.labelInfo,
    target: inp.target, priority: inp.priority, layered: inp.layered, metrics: inp.metrics, registryCredentials: inp.registryCredentials, registryVars: inp.registryVars,
    allowNoDevices: inp.allowNoDevices, replace: inp.replace, keep: inp.keep, dryRun: inp.action === 'preview', singleDeviceApply: inp.singleDeviceApply, summaryDir: inp.summaryDir,
  });
  output('DEPLOYMENT_ID', r.result.deploymentId);
  output('TARGETED_DEVICE_COUNT', r.result.targetedDeviceCount);
  output('PREVIOUS_DEPLOYMENT_ID', r.result.previousDeploymentId);
  output('SUMMARY_PATH', r.summaryPath);
  uploadSummary(r.markdownPath);
  tl.setResult(tl.TaskResult.Succeeded, `Deployment ${r.result.deploymentId}: ${r.result.action}.`);
});
