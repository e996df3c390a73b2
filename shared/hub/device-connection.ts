/**
 * Device and module connection strings for the local emulator. The SDKs connect MQTT to
 * `GatewayHostName` when present (else to HostName), and sign tokens for HostName — so HostName
 * stays the hub's host:port (what tokens are checked against) and GatewayHostName names the
 * emulator's MQTT endpoint. A real IoT Edge module gets the same shape (GatewayHostName = its edgeHub).
 */
export interface EmulatorEndpoint {
  host: string;
  port: number;
  mqttPort?: number;
}

export function emulatorDeviceConnectionString(hub: EmulatorEndpoint, deviceId: string, key: string, moduleId?: string): string {
  if (!hub.mqttPort) throw new Error('The emulator runs without its device endpoint (no mqttPort in the hub info)');
  return `HostName=${hub.host}:${hub.port};DeviceId=${deviceId}${moduleId ? `;ModuleId=${moduleId}` : ''};SharedAccessKey=${key};GatewayHostName=${hub.host}:${hub.mqttPort}`;
}
