import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';
import { parseJsonText } from '../../../shared/core/json';
import { AzureConnection } from '../../../shared/auth/azure-credential';
import { AZURE_AUTH_TEXT, AzureEndpointFields, azureConnectionFromEndpoint } from '../../../shared/auth/azure-endpoint';
import { connectionStringFacts } from '../../../shared/hub/connection-string';
import { IdVars, LabelInfo, SuppliedRegistryCredential, Target } from '../../../shared/deploy';

/** Every input of IoTEdgeDeploy, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export type HubInput =
  | { kind: 'connectionString'; connectionString: string; caFile?: string }
  | { kind: 'azureRM'; hubName: string; hostName: string; connectionId: string; connection: AzureConnection };

export interface Inputs {
  action: 'deploy' | 'preview' | 'rollback';
  hub: HubInput;
  /** How the hub is reached, for messages (never a secret). */
  authDescription: string;
  manifestPattern: string;
  cwd: string;
  idTemplate: string;
  idVars: IdVars;
  labelInfo: Omit<LabelInfo, 'series' | 'contentHash'>;
  target: Target;
  singleDeviceApply: boolean;
  priority: number;
  allowNoDevices: boolean;
  layered: boolean;
  metrics: Record<string, string>;
  registryCredentials: SuppliedRegistryCredential[];
  /** CONTAINER_REGISTRY_* variables, for password placeholders. */
  registryVars: Record<string, string | undefined>;
  keep: number;
  replace: boolean;
  rollbackId?: string;
  rollbackMode: 'remove' | 'retarget';
  summaryDir: string;
}

function required(id: string, key: string, what: string): string {
  const v = tl.getEndpointAuthorizationParameter(id, key, true);
  if (!v) throw new InputError(`Service connection ${id} has no ${what} (${key}).`, { field: key });
  return v;
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
  const connectionId = tl.getInput('azureSubscription', true)!;
  const hubName = tl.getInput('iothubname', true)!.trim();
  const connection = readAzureConnection(connectionId);
  const hostName = hubName.includes('.') ? hubName : `${hubName}.azure-devices.net`;
  return { hub: { kind: 'azureRM', hubName, hostName, connectionId, connection }, authDescription: `${AZURE_AUTH_TEXT[connection.scheme]} via Azure connection ${connectionId}` };
}

function readTarget(): { target: Target; singleDeviceApply: boolean } {
  const option = tl.getInput('deviceOption', true)!;
  if (option === 'Single Device') {
    return { target: { kind: 'device', deviceId: tl.getInput('deviceId', true)! }, singleDeviceApply: tl.getInput('singleDeviceMode', false) === 'applyContent' };
  }
  if (option === 'Device List') {
    return { target: { kind: 'devices', deviceIds: tl.getInput('deviceIds', true)!.split(/[\n,]/) }, singleDeviceApply: false };
  }
  if (option !== 'Multiple Devices') throw new InputError(`Input "deviceOption" must be "Single Device", "Multiple Devices" or "Device List", got "${option}".`, { field: 'deviceOption' });
  return { target: { kind: 'condition', condition: tl.getInput('targetCondition', true)! }, singleDeviceApply: false };
}

function int(name: string, value: string, min: number): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < min) throw new InputError(`Input "${name}" must be an integer ≥ ${min}, got "${value}".`, { field: name });
  return Number(v);
}

function readMetrics(): Record<string, string> {
  const text = tl.getInput('metrics', false)?.trim();
  if (!text) return {};
  const doc = parseJsonText<unknown>(text, 'input "metrics"');
  const v = doc.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InputError('Input "metrics" must be a JSON object of metric name → query.', doc.locate(''));
  for (const [k, q] of Object.entries(v)) if (typeof q !== 'string') throw new InputError(`Metric "${k}" must be a query string.`, doc.locate(`/${k}`));
  return v as Record<string, string>;
}

/** A dockerregistry connection's user/password (generic, or ACR-typed with a service principal). */
function readRegistryConnection(id: string): SuppliedRegistryCredential {
  const registryType = tl.getEndpointDataParameter(id, 'registrytype', true) ?? '';
  let cred: SuppliedRegistryCredential;
  if (registryType.toUpperCase() === 'ACR') {
    const scheme = (tl.getEndpointAuthorizationScheme(id, true) ?? '').toLowerCase();
    if (scheme === 'workloadidentityfederation') {
      throw new InputError(`Docker registry connection ${id} uses workload identity federation: its tokens expire within hours, so devices cannot use them as registry credentials.`, { field: 'dockerRegistryConnection' },
        'Use a connection with a service principal secret or a registry token (username/password).');
    }
    cred = { server: required(id, 'loginServer', 'login server'), username: required(id, 'serviceprincipalid', 'service principal id'), password: required(id, 'serviceprincipalkey', 'service principal key') };
  } else {
    cred = { server: tl.getEndpointUrl(id, false) ?? '', username: required(id, 'username', 'user name'), password: required(id, 'password', 'password') };
  }
  tl.setSecret(cred.password);
  return cred;
}

export function readInputs(): Inputs {
  const action = tl.getInput('action', true)!;
  if (!['deploy', 'preview', 'rollback'].includes(action)) throw new InputError(`Input "action" must be deploy, preview or rollback, got "${action}".`, { field: 'action' });
  const { hub, authDescription } = readHub();
  const name = tl.getInput('deploymentId', true)!;
  const v = (k: string) => tl.getVariable(k) || undefined;
  const idVars: IdVars = {
    name,
    buildId: v('Build.BuildId'),
    attempt: v('System.JobAttempt'),
    stage: v('System.StageName') ?? v('Release.EnvironmentName'),
    commit: v('Build.SourceVersion'),
    pipeline: v('Build.DefinitionName') ?? v('Release.DefinitionName'),
  };
  const labelInfo = { pipeline: idVars.pipeline, run: v('Build.BuildNumber') ?? idVars.buildId, commit: idVars.commit, stage: idVars.stage };
  const common = {
    action: action as Inputs['action'], hub, authDescription, idTemplate: tl.getInput('deploymentIdTemplate', false) || '', idVars, labelInfo,
    cwd: v('System.DefaultWorkingDirectory') ?? process.cwd(),
    summaryDir: path.join(v('Agent.TempDirectory') ?? os.tmpdir(), 'edgeops'),
    rollbackId: tl.getInput('rollbackDeploymentId', false)?.trim() || undefined,
    rollbackMode: (tl.getInput('rollbackMode', false) === 'retarget' ? 'retarget' : 'remove') as Inputs['rollbackMode'],
  };
  if (action === 'rollback') {
    return { ...common, manifestPattern: '', target: { kind: 'condition', condition: '*' }, singleDeviceApply: false, priority: 0, allowNoDevices: true, layered: false,
      metrics: {}, registryCredentials: [], registryVars: {}, keep: 0, replace: false };
  }
  const registryConnection = tl.getInput('dockerRegistryConnection', false);
  const registryVars: Record<string, string | undefined> = {};
  // Secret variables are not in getVariables(); ask for every CONTAINER_REGISTRY_* name the agent could hold.
  const names = new Set(['CONTAINER_REGISTRY_SERVER', 'CONTAINER_REGISTRY_USERNAME', 'CONTAINER_REGISTRY_PASSWORD']);
  for (const k of [...Object.keys(process.env).map((e) => e.replace(/^SECRET_/, '')), ...tl.getVariables().map((x) => x.name)]) {
    if (/^CONTAINER_REGISTRY_(SERVER|USERNAME|PASSWORD)/i.test(k)) names.add(k.toUpperCase());
  }
  for (const k of names) { const val = tl.getVariable(k); if (val !== undefined) registryVars[k] = val; }
  for (const [k, val] of Object.entries(registryVars)) if (/PASSWORD/i.test(k) && val) tl.setSecret(val);
  return {
    ...common,
    manifestPattern: tl.getInput('deploymentFilePath', true)!,
    ...readTarget(),
    priority: int('priority', tl.getInput('priority', true)!, 0),
    allowNoDevices: tl.getBoolInput('allowNoDevices', false),
    layered: tl.getBoolInput('layered', false),
    metrics: readMetrics(),
    registryCredentials: registryConnection ? [readRegistryConnection(registryConnection)] : [],
    registryVars,
    keep: int('keepDeployments', tl.getInput('keepDeployments', false) || '3', 0),
    replace: tl.getBoolInput('replaceExisting', false),
  };
}
