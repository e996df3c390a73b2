import { DeviceRecord, HubState, ModuleRecord } from './state';
import { Json, renderTwin, TwinDoc } from './twin';
import { QuerySource } from './query/run';

/** IoT Hub's device identity JSON (GET /devices/{id}). */
export function renderDevice(d: DeviceRecord): Json {
  const out: Json = {
    deviceId: d.deviceId, generationId: d.generationId, etag: d.etag, connectionState: d.connectionState, status: d.status,
    statusReason: d.statusReason, connectionStateUpdatedTime: d.connectionStateUpdatedTime, statusUpdatedTime: d.statusUpdatedTime,
    lastActivityTime: d.lastActivityTime, cloudToDeviceMessageCount: d.cloudToDeviceMessageCount,
    authentication: JSON.parse(JSON.stringify(d.authentication)), capabilities: { ...d.capabilities },
  };
  if (d.deviceScope) { out.deviceScope = d.deviceScope; out.parentScopes = []; }
  return out;
}

/** IoT Hub's module identity JSON (GET /devices/{d}/modules/{m}). */
export function renderModule(m: ModuleRecord): Json {
  return {
    moduleId: m.moduleId, deviceId: m.deviceId, managedBy: m.managedBy, generationId: m.generationId, etag: m.etag,
    connectionState: m.connectionState, connectionStateUpdatedTime: m.connectionStateUpdatedTime, lastActivityTime: m.lastActivityTime,
    cloudToDeviceMessageCount: m.cloudToDeviceMessageCount, authentication: JSON.parse(JSON.stringify(m.authentication)),
  };
}

/** Full twin JSON for a device or module twin, with the identity fields IoT Hub shows on twins. */
export function renderTwinDoc(state: HubState, t: TwinDoc): Json {
  const dev = state.devices.get(t.deviceId);
  const rec = t.moduleId === undefined ? dev : dev?.modules[t.moduleId];
  const common = rec ? {
    deviceEtag: dev!.etag,
    connectionState: rec.connectionState,
    lastActivityTime: rec.lastActivityTime,
    cloudToDeviceMessageCount: rec.cloudToDeviceMessageCount,
    authenticationType: rec.authentication.type,
    x509Thumbprint: { ...rec.authentication.x509Thumbprint },
    modelId: '',
  } : {};
  const deviceOnly = t.moduleId === undefined && dev ? { status: dev.status, statusReason: dev.statusReason, statusUpdateTime: dev.statusUpdatedTime } : {};
  return renderTwin(t, { ...deviceOnly, ...common });
}

/** The hub's twins as a query source (module twins of all devices for FROM devices.modules). */
export function querySource(state: HubState): QuerySource {
  return {
    *deviceTwins() { for (const d of state.devices.values()) yield d.twin; },
    *moduleTwins() { for (const d of state.devices.values()) for (const m of Object.values(d.modules)) yield m.twin; },
    render: (row) => renderTwinDoc(state, row as TwinDoc),
  };
}
