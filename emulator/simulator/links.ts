import { Client as DeviceClient, ModuleClient, Twin } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { emulatorDeviceConnectionString, EmulatorEndpoint } from '../../shared/hub/device-connection';
import { Json } from './agent-model';

export interface MethodResult { status: number; payload: unknown }

/** The agent's connection as its `$edgeAgent` module identity: twin and direct methods. */
export interface AgentLink {
  open(): Promise<void>;
  /** Full desired properties (with $version). */
  getDesired(): Promise<Json>;
  /** Called with the full desired properties after each patch. */
  onDesired(cb: (desired: Json) => void): void;
  report(patch: Json): Promise<void>;
  onMethod(name: string, handler: (payload: unknown) => MethodResult): void;
  /** Called when the connection drops unexpectedly. */
  onDisconnect(cb: () => void): void;
  close(): Promise<void>;
}

/** The device identity's own connection (edgeHub's, on a real device): it makes the device Connected. */
export interface DeviceLink {
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface LinkFactory {
  agent(deviceId: string, agentKey: string): AgentLink;
  device(deviceId: string, deviceKey: string): DeviceLink;
}

/** Links through the unmodified azure-iot-device SDK over MQTT. */
export function sdkLinks(hub: EmulatorEndpoint, ca: string): LinkFactory {
  return {
    agent(deviceId, key) {
      const client = ModuleClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, key, '$edgeAgent'), Mqtt);
      let twin: Twin | undefined;
      let desiredCb: ((d: Json) => void) | undefined;
      const methods: [string, (p: unknown) => MethodResult][] = [];
      let methodsBound = false;
      return {
        async open() {
          await client.setOptions({ ca });
          await client.open();
          if (methodsBound) return;
          methodsBound = true; // the SDK keeps handlers across close/open
          for (const [name, h] of methods) {
            client.onMethod(name, (req, res) => {
              const r = h(req!.payload);
              res!.send(r.status, r.payload as object, () => undefined);
            });
          }
        },
        async getDesired() {
          const t = await client.getTwin();
          if (t !== twin) t.on('properties.desired', () => desiredCb?.(t.properties.desired as Json));
          twin = t;
          return twin.properties.desired as Json;
        },
        onDesired(cb) { desiredCb = cb; },
        report(patch) {
          return new Promise<void>((resolve, reject) => twin!.properties.reported.update(patch, (e?: Error) => (e ? reject(e) : resolve())));
        },
        onMethod(name, h) { methods.push([name, h]); },
        onDisconnect(cb) { client.on('disconnect', cb); },
        async close() { await client.close().catch(() => undefined); client.removeAllListeners(); },
      };
    },
    device(deviceId, key) {
      const client = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, key), Mqtt);
      return {
        async open() { await client.setOptions({ ca }); await client.open(); },
        async close() { await client.close().catch(() => undefined); },
      };
    },
  };
}
