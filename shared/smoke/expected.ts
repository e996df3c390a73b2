import type { HubDeployment } from '../deploy/hub';

/** A module the deployment asks for, as the smoke test checks it on every device. */
export interface ExpectedModule {
  name: string;
  /** edgeHub lives under reported systemModules. */
  system: boolean;
  /** Image the agent must run; undefined when the deployment does not set it (layered without edgeHub). */
  image?: string;
  /** runtimeStatus the agent must report: the desired status (running unless the deployment says stopped). */
  runtimeStatus: string;
}

type ModuleSpec = { status?: string; settings?: { image?: string } };

/**
 * Modules of the deployment plus edgeHub (always checked: without it nothing reaches the cloud).
 * Reads base deployments (`properties.desired`) and layered keys (`properties.desired.modules.x`).
 * edgeAgent is left out: it is the one reporting, so a report at all proves it runs.
 */
export function expectedModules(d: HubDeployment): ExpectedModule[] {
  const agent = (d.content?.modulesContent?.$edgeAgent ?? {}) as Record<string, unknown>;
  const out = new Map<string, ExpectedModule>();
  const add = (name: string, m: ModuleSpec | undefined, system: boolean) => {
    if (!m || typeof m !== 'object' || name === 'edgeAgent') return;
    out.set(name, { name, system, image: m.settings?.image, runtimeStatus: m.status === 'stopped' ? 'stopped' : 'running' });
  };
  const desired = agent['properties.desired'] as { modules?: Record<string, ModuleSpec>; systemModules?: Record<string, ModuleSpec> } | undefined;
  for (const [n, m] of Object.entries(desired?.systemModules ?? {})) add(n, m, true);
  for (const [n, m] of Object.entries(desired?.modules ?? {})) add(n, m, false);
  for (const [key, m] of Object.entries(agent)) {
    const match = /^properties\.desired\.(modules|systemModules)\.([^.]+)$/.exec(key);
    if (match) add(match[2], m as ModuleSpec, match[1] === 'systemModules');
  }
  if (!out.has('edgeHub')) out.set('edgeHub', { name: 'edgeHub', system: true, runtimeStatus: 'running' });
  return [...out.values()].sort((a, b) => Number(b.system) - Number(a.system) || a.name.localeCompare(b.name));
}
