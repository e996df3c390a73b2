export { createHubClients, HubClients, HubClientOptions, isEmulatorHost, EmulatorHttp, TokenCredential } from './clients';
export { readHubInfo, HubInfoFile } from './hub-info';
