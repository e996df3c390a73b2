import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';
import { AzureConnection } from '../../../shared/auth/azure-credential';
import { AzureEndpointFields, azureConnectionFromEndpoint } from '../../../shared/auth/azure-endpoint';
import { connectionStringFacts } from '../../../shared/hub/connection-string';
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

/** The fields of an AzureRM connection, read with task-lib; shared/auth turns them into a connection. */
function azureEndpoint(id: string): AzureEndpointFields {
  return {
    id,
    scheme: tl.getEndpointAuthorizationScheme(id, false) ?? '',
    param: (key) => tl.getEndpointAuthorizationParameter(id, key, true) || undefined,
    authorityHost: tl.getEndpointDataParameter(id, 'environmentAuthorityUrl', true) || undefined,
    systemAccessToken: tl.getVariable('System.AccessToken') || process.env.SYSTEM_ACCESSTOKEN || '',
    oidcRequestUri: tl.getVariable('System.OidcRequestUri') || process.env.SYSTEM_OIDCREQUESTURI || undefined,
  };
}

function readAzureConnection(id: string): AzureConnection {
  return azureConnectionFromEndpoint(azureEndpoint(id), (v) => tl.setSecret(v));
}

function readHub(): { hub: HubInput; authDescription: string } {
  const type = tl.getInput('connectionType', true)!;
  if (type === 'connectionString') {
    const cs = tl.getInput('iothubConnectionString', true)!;
    tl.setSecret(cs);
    const { sharedAccessKey, policy } = connectionStringFacts(cs);
    if (sharedAccessKey) tl.setSecret(sharedAccessKey);
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
