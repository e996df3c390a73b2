import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../../shared/core/errors';
import { AzureConnection } from '../../../shared/auth/azure-credential';
import { AzureEndpointFields, azureConnectionFromEndpoint } from '../../../shared/auth/azure-endpoint';

/** Every input of IoTEdgePushModuleImages, read in one place (the only file that calls task-lib getInput and getEndpoint functions). */
export type RegistryInput =
  | { kind: 'basic'; server: string; username: string; password: string }
  | { kind: 'acr'; loginServer: string; connection: AzureConnection };

export interface Inputs {
  templateFilePath: string;
  platforms: string[];
  modules: string[];
  bypassModules?: string[];
  registry: RegistryInput;
  buildResultsPath: string;
  resultsPath: string;
  tempDir: string;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** AzureIoTEdge@2 stored the ACR as JSON ({"loginServer":"x.azurecr.io",…}); we accept that and a plain login server. */
export function parseAcrInput(value: string): string {
  const v = value.trim();
  if (v.startsWith('{')) {
    try {
      const o = JSON.parse(v) as { loginServer?: string };
      if (o.loginServer) return o.loginServer;
    } catch { /* fall through */ }
    throw new InputError('Input "azureContainerRegistry" is JSON without a "loginServer".', { field: 'azureContainerRegistry' });
  }
  return v;
}

function param(id: string, key: string, optional = true): string | undefined {
  return tl.getEndpointAuthorizationParameter(id, key, optional) || undefined;
}

function required(id: string, key: string, what: string): string {
  const v = param(id, key);
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

export function readAzureConnection(id: string): AzureConnection {
  return azureConnectionFromEndpoint(azureEndpoint(id), (v) => tl.setSecret(v));
}

/** A dockerregistry connection: generic (URL + user/password) or ACR-typed (service principal or workload identity). */
export function readDockerRegistryConnection(id: string): RegistryInput {
  const registryType = tl.getEndpointDataParameter(id, 'registrytype', true) ?? '';
  const scheme = (tl.getEndpointAuthorizationScheme(id, true) ?? '').toLowerCase();
  if (registryType.toUpperCase() === 'ACR') {
    const loginServer = required(id, 'loginServer', 'login server');
    if (scheme === 'workloadidentityfederation') return { kind: 'acr', loginServer, connection: readAzureConnection(id) };
    // An ACR-typed connection with a service principal: ACR accepts its id and secret directly.
    return { kind: 'basic', server: loginServer, username: required(id, 'serviceprincipalid', 'service principal id'), password: required(id, 'serviceprincipalkey', 'service principal key') };
  }
  const url = tl.getEndpointUrl(id, false) ?? '';
  return { kind: 'basic', server: url, username: required(id, 'username', 'user name'), password: required(id, 'password', 'password') };
}

export function readInputs(): Inputs {
  const tempDir = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
  const type = tl.getInput('containerRegistryType', true)!;
  let registry: RegistryInput;
  if (type === 'Azure Container Registry') {
    const id = tl.getInput('azureSubscription', true)!;
    registry = { kind: 'acr', loginServer: parseAcrInput(tl.getInput('azureContainerRegistry', true)!), connection: readAzureConnection(id) };
  } else if (type === 'Generic Container Registry') {
    registry = readDockerRegistryConnection(tl.getInput('dockerRegistryServiceConnection', true)!);
  } else {
    throw new InputError(`Input "containerRegistryType" must be "Azure Container Registry" or "Generic Container Registry", got "${type}".`, { field: 'containerRegistryType' });
  }
  const bypass = tl.getInput('bypassModules', false);
  return {
    templateFilePath: tl.getPathInput('templateFilePath', true, true)!,
    platforms: list(tl.getInput('platforms', true)),
    modules: list(tl.getInput('modules', false)),
    bypassModules: bypass ? list(bypass) : undefined,
    registry,
    buildResultsPath: tl.getInput('buildResultsPath', false) || path.join(tempDir, 'edgeops', 'build-results.json'),
    resultsPath: tl.getInput('resultsPath', false) || path.join(tempDir, 'edgeops', 'push-results.json'),
    tempDir,
  };
}
