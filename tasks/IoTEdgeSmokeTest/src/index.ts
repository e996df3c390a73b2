import * as tl from 'azure-pipelines-task-lib/task';
import { runTask, uploadSummary } from '../../_common/src/run-task';
import { taskLogger } from '../../_common/src/task-logger';
import { credentialFor } from '../../../shared/auth/azure-credential';
import { createHubClients } from '../../../shared/hub';
import { registryHub } from '../../../shared/deploy';
import { emulatorTelemetry, registrySmokeHub, runSmokeWithEvidence } from '../../../shared/smoke';
import { Inputs, readInputs } from './inputs';

function connect(inp: Inputs) {
  if (inp.hub.kind === 'connectionString') {
    return createHubClients({ connectionString: inp.hub.connectionString, caFile: inp.hub.caFile, log: taskLogger });
  }
  return createHubClients({ hostName: inp.hub.hostName, credential: credentialFor(inp.hub.connection, taskLogger), log: taskLogger });
}

function output(name: string, value: string | number): void {
  tl.setVariable(name, String(value), false, true);
}

runTask(__dirname, async () => {
  const inp = readInputs();
  const clients = connect(inp);
  const hub = registrySmokeHub(clients.registry, clients.client, clients.hostName, { logger: taskLogger, auth: inp.authDescription });
  const run = await runSmokeWithEvidence({
    hub, logger: taskLogger, deploymentId: inp.deploymentId, deviceIds: inp.deviceIds, timeoutMs: inp.timeoutMs, pollIntervalMs: inp.pollIntervalMs,
    stabilityMs: inp.stabilityMs, activityWindowMs: inp.activityWindowMs, ping: inp.ping, moduleMethods: inp.moduleMethods, rule: inp.rule,
    rollback: inp.rollback ? { hub: registryHub(clients.registry, clients.hostName, { logger: taskLogger, auth: inp.authDescription }), mode: inp.rollbackMode } : undefined,
    telemetry: inp.checkTelemetry && inp.hub.kind === 'connectionString' ? emulatorTelemetry({ connectionString: inp.hub.connectionString, caFile: inp.hub.caFile, log: taskLogger }) : undefined,
    junitPath: inp.junitPath, summaryDir: inp.summaryDir,
  });
  const { counts, verdict } = run.report;
  output('SMOKE_TEST_PASSED', verdict.passed ? 'true' : 'false');
  output('DEVICES_PASSED', counts.passed);
  output('DEVICES_FAILED', counts.failed);
  output('DEVICES_OFFLINE', counts.offline);
  output('JUNIT_PATH', run.junitPath);
  uploadSummary(run.markdownPath);
  const text = `${counts.passed} passed, ${counts.failed} failed, ${counts.offline} offline of ${counts.targeted} device(s)`;
  if (verdict.passed) {
    tl.setResult(tl.TaskResult.Succeeded, `Smoke test of ${inp.deploymentId} passed: ${text}.`);
  } else {
    const rb = run.report.rollback ? ` ${run.report.rollback.ok ? `Rolled back${run.report.rollback.restoredId ? ` to ${run.report.rollback.restoredId}` : ''}.` : `Rollback failed: ${run.report.rollback.message}`}` : '';
    tl.setResult(tl.TaskResult.Failed, `Smoke test of ${inp.deploymentId} failed: ${text} — ${verdict.reasons.join('; ')}.${rb}`);
    process.exitCode = 1;
  }
});
