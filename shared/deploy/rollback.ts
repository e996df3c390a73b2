import { EdgeOpsError, InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { DeployHub, HubDeployment } from './hub';
import { LABELS } from './id';
import { previousInSeries, ROLLED_BACK_LABEL } from './series';
import { devicesApplying, findTargetedDevices } from './target';

export interface RollbackOptions {
  hub: DeployHub;
  logger: Logger;
  /** The deployment to roll back (usually the one just created). */
  id: string;
  /** 'remove' deletes it; 'retarget' keeps it for history with a condition that selects no device. */
  mode?: 'remove' | 'retarget';
  /** Series to look in when the deployment is already gone. */
  series?: string;
}

export interface RestoredDeployment {
  id: string;
  createdTimeUtc?: string;
  priority?: number;
  targetCondition?: string;
  contentHash?: string;
  /** Module name → image of the restored deployment. */
  images: Record<string, string>;
  /** Edge devices its target condition selects. */
  targetedDeviceCount: number;
}

export interface RollbackResult {
  action: 'removed' | 'retargeted' | 'already-rolled-back';
  rolledBackId: string;
  restored?: RestoredDeployment;
  /** Devices the rolled-back deployment was applied on when it was removed. */
  affectedDeviceIds: string[];
  /** Of those, devices the restored deployment does not target (they fall back to something else). */
  notCoveredDeviceIds: string[];
  messages: string[];
}

/** A condition that selects no device, for a rolled-back deployment kept as history. */
export const NO_DEVICE_CONDITION = "deviceId='edgeops-rolled-back-no-device'";

function imagesOf(d: HubDeployment): Record<string, string> {
  const agent = d.content?.modulesContent?.$edgeAgent as Record<string, unknown> | undefined;
  const out: Record<string, string> = {};
  const desired = agent?.['properties.desired'] as Record<string, Record<string, { settings?: { image?: string } }>> | undefined;
  for (const group of ['systemModules', 'modules']) {
    for (const [name, m] of Object.entries(desired?.[group] ?? {})) if (m?.settings?.image) out[name] = m.settings.image;
  }
  for (const [key, m] of Object.entries(agent ?? {})) {
    const match = /^properties\.desired\.(?:modules|systemModules)\.(.+)$/.exec(key);
    const image = (m as { settings?: { image?: string } })?.settings?.image;
    if (match && image) out[match[1]] = image;
  }
  return out;
}

/**
 * Rolls a deployment back so its devices return to the previous deployment of its series
 * (matched by the series label): refuses when there is none, since removing the only one would
 * leave devices with no deployment. Idempotent: an already removed deployment is reported as such.
 */
export async function rollbackDeployment(o: RollbackOptions): Promise<RollbackResult> {
  const messages: string[] = [];
  const say = (m: string) => { messages.push(m); o.logger.info(m); };
  const current = await o.hub.getDeployment(o.id);
  const all = await o.hub.listDeployments();
  const rolledBackAlready = !current || (current.labels?.[ROLLED_BACK_LABEL] !== undefined);
  const series = current?.labels?.[LABELS.series] ?? o.series;
  if (!series) {
    if (!current) throw new InputError(`Deployment ${o.id} does not exist on ${o.hub.hostName}, and no series was given to find what it replaced.`, { field: 'deploymentId' });
    throw new InputError(`Deployment ${o.id} has no ${LABELS.series} label (not created by EdgeOps): there is no series to roll back to.`, { field: 'deploymentId' });
  }
  const prev = previousInSeries(all, series, o.id);
  const restored = prev ? await describe(o.hub, prev) : undefined;
  if (rolledBackAlready) {
    say(`Deployment ${o.id} is already rolled back${restored ? `; ${restored.id} is the newest remaining deployment of series ${series}` : ''}.`);
    return { action: 'already-rolled-back', rolledBackId: o.id, restored, affectedDeviceIds: [], notCoveredDeviceIds: [], messages };
  }
  if (!prev || !restored) {
    throw new EdgeOpsError('NoPreviousDeployment', `Cannot roll back ${o.id}: no earlier deployment of series ${series} exists on ${o.hub.hostName}, so its devices would be left without one.`, {
      hint: 'Deploy the previous release again instead.',
    });
  }
  const affected = await devicesApplying(o.hub, o.id);
  const covered = new Set((prev.targetCondition?.trim() ? await findTargetedDevices(o.hub, prev.targetCondition) : []).map((d) => d.deviceId));
  const notCovered = affected.filter((d) => !covered.has(d));
  if (o.mode === 'retarget') {
    await o.hub.updateDeployment({ ...current!, targetCondition: NO_DEVICE_CONDITION, labels: { ...current!.labels, [ROLLED_BACK_LABEL]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } });
    say(`Retargeted ${o.id} to no device (kept for history).`);
  } else {
    await o.hub.removeDeployment(o.id);
    say(`Removed deployment ${o.id}.`);
  }
  say(`Restored ${restored.id} (created ${restored.createdTimeUtc ?? '?'}, priority ${restored.priority ?? 0}) for ${affected.length - notCovered.length} of ${affected.length} device(s) that had ${o.id} applied: ${Object.entries(restored.images).map(([m, i]) => `${m}=${i}`).join(', ')}.`);
  if (notCovered.length) o.logger.warn(`${notCovered.length} device(s) are not targeted by ${restored.id} and fall back to another deployment, if any: ${notCovered.slice(0, 10).join(', ')}`);
  return { action: o.mode === 'retarget' ? 'retargeted' : 'removed', rolledBackId: o.id, restored, affectedDeviceIds: affected, notCoveredDeviceIds: notCovered, messages };
}

async function describe(hub: DeployHub, d: HubDeployment): Promise<RestoredDeployment> {
  const full = d.content ? d : (await hub.getDeployment(d.id)) ?? d;
  const targeted = full.targetCondition?.trim() ? await findTargetedDevices(hub, full.targetCondition) : [];
  return {
    id: full.id, createdTimeUtc: full.createdTimeUtc, priority: full.priority, targetCondition: full.targetCondition,
    contentHash: full.labels?.[LABELS.contentHash], images: imagesOf(full), targetedDeviceCount: targeted.length,
  };
}
