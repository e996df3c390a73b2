import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';
import { AzureConnection } from '../../../shared/auth/azure-credential';
import { parseThreshold, PassRule } from '../../../shared/smoke';

/** Every input of IoTEdgeSmokeTest, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export type HubInput =
  | { kind: 'connectionString'; connectionString: string; caFile?: string }
  | { kind: 'azureRM'; hostName: string; connection: AzureConnection };

export interface Inputs {
  hub: HubInput;
  /** How the hub is reached, for messages (never a secret). */
  authDescription: string;
  deploymentId: string;
  deviceIds?: string[];
  timeoutMs: number;
  pollIntervalMs: number;
  stabilityMs: number;
  activityWindowMs: number;
  ping: boolean;
  moduleMethods: Record<string, string>;
  /** Emulator only (telemetry from a real hub goes to Event Hubs). */
  checkTelemetry: boolean;
  rule: PassRule;
  rollback: boolean;
  rollbackMode: 'remove' | 'retarget';
  junitPath: string;
  summaryDir: string;
}

function param(id: string, key: string): string | undefined {
  return tl.getEndpointAuthorizationParameter(id, key, true) || undefined;
}

function required(id: string, key: string, what: string): string {
  const v = param(id, key);
  if (!v) throw new InputError(`Service connection ${id} has no ${what} (${key}).`, { field: key });
  return v;
}

/** An AzureRM connection as plain data; secrets are registered with the agent as they are read. */
function readAzureConnection(id: string): AzureConnection {
  const scheme = (tl.getEndpointAuthorizationScheme(id, false) ?? '').toLowerCase();
  const authorityHost = tl.getEndpointDataParameter(id, 'environmentAuthorityUrl', true) || undefined;
  if (scheme === 'serviceprincipal') {
    const tenantId = required(id, 'tenantid', 'tenant id');
    const clientId = required(id, 'serviceprincipalid', 'service principal id');
    if ((param(id, 'authenticationType') ?? 'spnKey') === 'spnCertificate') {
      const certificatePem = required(id, 'servicePrincipalCertificate', 'certificate');
      tl.setSecret(certificatePem);
      return { scheme: 'ServicePrincipalCertificate', tenantId, clientId, certificatePem, authorityHost };
    }
    const secret = required(id, 'serviceprincipalkey', 'service principal key');
    tl.setSecret(secret);
    return { scheme: 'ServicePrincipal', tenantId, clientId, secret, authorityHost };
  }
  if (scheme === 'managedserviceidentity') return { scheme: 'ManagedServiceIdentity', clientId: param(id, 'serviceprincipalid') };
  if (scheme === 'workloadidentityfederation') {
    return {
      scheme: 'WorkloadIdentityFederation', tenantId: required(id, 'tenantid', 'tenant id'), clientId: required(id, 'serviceprincipalid', 'service principal id'),
      serviceConnectionId: id, systemAccessToken: tl.getVariable('System.AccessToken') || process.env.SYSTEM_ACCESSTOKEN || '', authorityHost,
    };
  }
  throw new InputError(`Azure service connection ${id} uses the unsupported scheme "${scheme}".`, { field: 'azureSubscription' },
    'Use a service principal (secret or certificate), managed identity or workload identity federation connection.');
}

function readHub(): { hub: HubInput; authDescription: string } {
  const type = tl.getInput('connectionType', true)!;
  if (type === 'connectionString') {
    const cs = tl.getInput('iothubConnectionString', true)!;
    tl.setSecret(cs);
    const key = /SharedAccessKey=([^;]+)/i.exec(cs)?.[1];
    if (key) tl.setSecret(key);
    const policy = /SharedAccessKeyName=([^;]+)/i.exec(cs)?.[1] ?? '?';
    // A local emulator (host:port) needs its CA; the variable lets pipelines run against it.
    return { hub: { kind: 'connectionString', connectionString: cs, caFile: tl.getVariable('EdgeOps.HubCaFile') || undefined }, authDescription: `connection string (policy ${policy})` };
  }
  if (type !== 'azureRM') throw new InputError(`Input "connectionType" must be "azureRM" or "connectionString", got "${type}".`, { field: 'connectionType' });
  const id = tl.getInput('azureSubscription', true)!;
  const hubName = tl.getInput('iothubname', true)!.trim();
  const connection = readAzureConnection(id);
  return { hub: { kind: 'azureRM', hostName: hubName.includes('.') ? hubName : `${hubName}.azure-devices.net`, connection }, authDescription: `${connection.scheme} via Azure connection ${id}` };
}

function seconds(name: string, def: string, min: number): number {
  const raw = (tl.getInput(name, false) || def).trim();
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min) throw new InputError(`Input "${name}" must be a number of seconds ≥ ${min}, got "${raw}".`, { field: name });
  return Math.round(Number(raw) * 1000);
}

function int(name: string, def: string | undefined): number | undefined {
  const raw = (tl.getInput(name, false) || def || '').trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw)) throw new InputError(`Input "${name}" must be a whole number ≥ 0, got "${raw}".`, { field: name });
  return Number(raw);
}

/** "sensor=health, filter=ping" → { sensor: 'health', filter: 'ping' } */
export function parseModuleMethods(text: string, field = 'moduleMethods'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*([^=\s]+)$/.exec(part);
    if (!m) throw new InputError(`Input "${field}": "${part}" is not module=method.`, { field });
    out[m[1]] = m[2];
  }
  return out;
}

function readTelemetry(hub: HubInput): boolean {
  const on = tl.getBoolInput('checkTelemetry', false);
  if (on && hub.kind === 'azureRM') {
    throw new InputError('Input "checkTelemetry" works with the local IoT Hub emulator only: a real hub delivers telemetry to its Event Hubs endpoint.', { field: 'checkTelemetry' });
  }
  return on;
}

export function readInputs(): Inputs {
  const { hub, authDescription } = readHub();
  const deploymentId = tl.getInput('deploymentId', true)!.trim();
  const devices = (tl.getInput('devices', false) ?? '').split(/[\n,]/).map((d) => d.trim()).filter(Boolean);
  const offline = tl.getInput('offlineDevices', false) || 'fail';
  if (offline !== 'fail' && offline !== 'exclude') throw new InputError(`Input "offlineDevices" must be "fail" or "exclude", got "${offline}".`, { field: 'offlineDevices' });
  const mode = tl.getInput('rollbackMode', false) || 'remove';
  if (mode !== 'remove' && mode !== 'retarget') throw new InputError(`Input "rollbackMode" must be "remove" or "retarget", got "${mode}".`, { field: 'rollbackMode' });
  const temp = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
  return {
    hub, authDescription, deploymentId,
    deviceIds: devices.length ? devices : undefined,
    timeoutMs: seconds('timeoutSeconds', '600', 0),
    pollIntervalMs: seconds('pollIntervalSeconds', '10', 0.1),
    stabilityMs: seconds('stabilitySeconds', '30', 0),
    activityWindowMs: seconds('activityWindowSeconds', '0', 0),
    ping: tl.getBoolInput('pingEdgeAgent', false),
    moduleMethods: parseModuleMethods(tl.getInput('moduleMethods', false) ?? ''),
    checkTelemetry: readTelemetry(hub),
    rule: {
      threshold: parseThreshold(tl.getInput('threshold', false) || '100%'),
      maxFailures: int('maxFailures', undefined),
      minDevices: int('minDevices', '1') ?? 1,
      offline,
    },
    rollback: tl.getBoolInput('rollbackOnFailure', false),
    rollbackMode: mode,
    junitPath: tl.getInput('junitPath', false) || path.join(temp, 'edgeops', 'smoke-test-results.xml'),
    summaryDir: path.join(temp, 'edgeops'),
  };
}
