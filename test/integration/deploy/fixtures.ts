import * as fs from 'fs';
import * as path from 'path';
import { Registry } from 'azure-iothub';

/** A base manifest as IoTEdgeGenerateManifest writes it, with one user module at `tag`. */
export function baseManifest(tag: string, opts: { interval?: number; password?: string } = {}): unknown {
  return {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: { registryCredentials: { reg: { address: 'localhost:5000', username: 'u', password: opts.password ?? '$CONTAINER_REGISTRY_PASSWORD' } } } },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '{}' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '{}' } },
          },
          modules: {
            sensor: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: `localhost:5000/sensor:${tag}`, createOptions: '{"HostConfig":{"Privileged":false}}' }, env: { MODE: { value: tag } } },
          },
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
      sensor: { 'properties.desired': { interval: opts.interval ?? 5 } },
    },
  };
}

export function layeredManifest(tag: string): unknown {
  return {
    content: {
      modulesContent: {
        $edgeAgent: { 'properties.desired.modules.extra': { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: `localhost:5000/extra:${tag}`, createOptions: '{}' } } },
        $edgeHub: { 'properties.desired.routes.extra': 'FROM /messages/modules/extra/* INTO $upstream' },
      },
    },
  };
}

export function writeManifest(dir: string, name: string, doc: unknown): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify(doc, null, 2));
  return f;
}

/** Edge devices (and one non-edge device) created through the SDK, with tags. */
export async function seedDevices(registry: Registry, devices: { id: string; env: string; edge?: boolean }[]): Promise<void> {
  for (const d of devices) {
    await registry.create({ deviceId: d.id, capabilities: { iotEdge: d.edge !== false } } as never);
    const twin = (await registry.getTwin(d.id)).responseBody;
    await twin.update({ tags: { env: d.env } });
  }
}

export async function agentImage(registry: Registry, deviceId: string, module = 'sensor'): Promise<string | undefined> {
  const t = (await registry.getModuleTwin(deviceId, '$edgeAgent')).responseBody as unknown as { properties: { desired: Record<string, unknown> } };
  const mods = (t.properties.desired.modules ?? {}) as Record<string, { settings?: { image?: string } }>;
  return mods[module]?.settings?.image;
}
