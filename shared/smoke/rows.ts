/** What the two paged queries return per device, normalized (projections differ slightly between hubs). */

export interface DeviceRow {
  deviceId: string;
  /** False for ids from a device list that the hub does not know. */
  exists: boolean;
  status?: string;
  statusReason?: string;
  iotEdge?: boolean;
  connectionState?: string;
  lastActivityTime?: string;
  /** configurations.<deploymentId>.status on the device twin (Applied / Targeted). */
  configStatus?: string;
}

export interface ReportedModule {
  runtimeStatus?: string;
  restartCount?: number;
  exitCode?: number;
  statusDescription?: string;
  lastStartTimeUtc?: string;
  lastExitTimeUtc?: string;
  settings?: { image?: string };
}

export interface AgentReported {
  lastDesiredVersion?: number;
  lastDesiredStatus?: { code?: number; description?: string };
  modules?: Record<string, ReportedModule>;
  systemModules?: Record<string, ReportedModule>;
}

/** The device's $edgeAgent module twin (present only where the deployment is Applied). */
export interface AgentRow {
  deviceId: string;
  connectionState?: string;
  lastActivityTime?: string;
  /** properties.desired.$version */
  desiredVersion?: number;
  reported?: AgentReported;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** `SELECT deviceId, status, statusReason, capabilities, connectionState, lastActivityTime, configurations FROM devices` row. */
export function toDeviceRow(r: Record<string, unknown>, deploymentId: string): DeviceRow {
  const cfg = (r.configurations ?? {}) as Record<string, { status?: string } | undefined>;
  const caps = r.capabilities as { iotEdge?: boolean } | undefined;
  return {
    deviceId: String(r.deviceId), exists: true, status: str(r.status), statusReason: str(r.statusReason) ?? undefined,
    iotEdge: caps ? caps.iotEdge === true : undefined, connectionState: str(r.connectionState), lastActivityTime: str(r.lastActivityTime),
    configStatus: str(cfg[deploymentId]?.status),
  };
}

/** `SELECT deviceId, connectionState, lastActivityTime, properties.desired.$version, properties.reported.<parts> FROM devices.modules` row. */
export function toAgentRow(r: Record<string, unknown>): AgentRow {
  // Projections come back flat ({$version, reported}) or nested ({properties:{desired:{$version}}}) depending on the hub.
  const props = r.properties as { desired?: { $version?: unknown }; reported?: unknown } | undefined;
  const version = r.$version ?? props?.desired?.$version;
  let reported = (r.reported ?? props?.reported) as AgentReported | undefined;
  if (!reported && ['lastDesiredVersion', 'lastDesiredStatus', 'modules', 'systemModules'].some((k) => k in r)) {
    reported = { lastDesiredVersion: r.lastDesiredVersion as number | undefined, lastDesiredStatus: r.lastDesiredStatus as AgentReported['lastDesiredStatus'],
      modules: r.modules as AgentReported['modules'], systemModules: r.systemModules as AgentReported['systemModules'] };
  }
  return {
    deviceId: String(r.deviceId), connectionState: str(r.connectionState), lastActivityTime: str(r.lastActivityTime),
    desiredVersion: typeof version === 'number' ? version : undefined, reported: reported && typeof reported === 'object' ? reported : undefined,
  };
}
