/**
 * An edge device's $edgeAgent played through the real azure-iot-device SDK over MQTT: it reads its
 * desired properties and reports what the real agent would for them (healthy, or with a crashing
 * sensor). Used where the hub runs in another process (L0 tests, CLI tests).
 */
import { Client as DeviceClient, ModuleClient, Twin } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { Registry } from 'azure-iothub';
import { emulatorDeviceConnectionString } from '../../../shared/hub/device-connection';

export interface SdkAgent {
  deviceId: string;
  /** Resolves once the agent reported the desired $version it has now. */
  applied(): Promise<void>;
  close(): Promise<void>;
}

interface Desired {
  $version: number;
  modules?: Record<string, { status?: string; settings?: { image?: string } }>;
  systemModules?: Record<string, { settings?: { image?: string } }>;
}

function reportedFor(d: Desired, crash: boolean): Record<string, unknown> {
  const modules: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(d.modules ?? {})) {
    const bad = crash && name === 'sensor';
    modules[name] = { status: m.status ?? 'running', settings: { image: m.settings?.image }, runtimeStatus: bad ? 'backoff' : 'running', restartCount: bad ? 4 : 0, exitCode: bad ? 1 : 0, statusDescription: bad ? 'exited: cannot open /dev/ttyUSB0' : 'running' };
  }
  return {
    lastDesiredVersion: d.$version, lastDesiredStatus: { code: 200, description: '' },
    systemModules: { edgeAgent: { runtimeStatus: 'running', settings: { image: d.systemModules?.edgeAgent?.settings?.image } }, edgeHub: { runtimeStatus: 'running', restartCount: 0, settings: { image: d.systemModules?.edgeHub?.settings?.image } } },
    modules,
  };
}

export async function startSdkAgent(hub: { host: string; port: number; mqttPort?: number; caFile: string }, ca: string, registry: Registry, deviceId: string, opts: { crash?: boolean } = {}): Promise<SdkAgent> {
  const key = async (moduleId?: string) => (moduleId ? (await registry.getModule(deviceId, moduleId)).responseBody : (await registry.get(deviceId)).responseBody).authentication!.symmetricKey!.primaryKey!;
  const device = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, await key()), Mqtt);
  await device.setOptions({ ca });
  await device.open();
  const agent = ModuleClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, await key('$edgeAgent'), '$edgeAgent'), Mqtt);
  await agent.setOptions({ ca });
  await agent.open();
  const twin: Twin = await agent.getTwin();
  let reportedVersion = -1;
  const report = () => new Promise<void>((resolve, reject) => {
    const d = twin.properties.desired as unknown as Desired;
    const patch = reportedFor(d, !!opts.crash);
    // Replace the module map so removed modules disappear (null deletes in a reported patch).
    twin.properties.reported.update({ modules: null }, (e1?: Error) => {
      if (e1) { reject(e1); return; }
      twin.properties.reported.update(patch, (e2?: Error) => { if (e2) reject(e2); else { reportedVersion = d.$version; resolve(); } });
    });
  });
  // One report at a time, each for the latest desired state: overlapping reports could land out of order
  // and leave an older lastDesiredVersion as the final word.
  let chain = Promise.resolve();
  twin.on('properties.desired', () => { chain = chain.then(report).catch(() => undefined); });
  return {
    deviceId,
    async applied() {
      const deadline = Date.now() + 10_000;
      while (reportedVersion !== (twin.properties.desired as unknown as Desired).$version) {
        if (Date.now() > deadline) throw new Error(`${deviceId}: $edgeAgent did not report desired version ${(twin.properties.desired as unknown as Desired).$version}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() { await agent.close().catch(() => undefined); await device.close().catch(() => undefined); },
  };
}
