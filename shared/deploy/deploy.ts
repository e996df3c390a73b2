import { EdgeOpsError, InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { canonicalJson } from './canonical';
import { DeployHub, HubDeployment } from './hub';
import { LABELS } from './id';
import { buildDiff, DiffReport } from './preview';
import { applyRetention, RetentionResult } from './retention';
import { BRIDGE_LABEL, previousInSeries } from './series';
import { findTargetedDevices, Target, targetCondition } from './target';

export interface DeployOptions {
  hub: DeployHub;
  logger: Logger;
  /** Normalized deployment id (renderDeploymentId). */
  id: string;
  /** Series label value (renderSeries). */
  series: string;
  /** Deployable content, credentials already filled in memory. */
  content: { modulesContent: Record<string, unknown> };
  layered: boolean;
  target: Target;
  priority: number;
  /** Labels from deploymentLabels (series and content hash included). */
  labels: Record<string, string>;
  metrics?: Record<string, string>;
  allowNoDevices?: boolean;
  /** Different content under an existing id: replace it (create-new-then-remove-old). */
  replace?: boolean;
  /** Older deployments of the series to keep (the new one counts); 0 = no retention. */
  keep?: number;
  dryRun?: boolean;
  /** Single device only: write the content with applyConfigurationContent instead of a deployment. */
  applyToDevice?: boolean;
}

export type DeployAction = 'created' | 'unchanged' | 'replaced' | 'preview' | 'applied';

export interface DeployResult {
  action: DeployAction;
  deploymentId: string;
  targetCondition: string;
  targetedDeviceCount: number;
  previousDeploymentId?: string;
  diff: DiffReport;
  retention: RetentionResult;
  messages: string[];
}

/** Id of the temporary deployment that serves devices while an id is replaced (≤128 chars). */
export function bridgeId(id: string): string {
  const suffix = '-edgeops-replacing';
  return id.slice(0, 128 - suffix.length) + suffix;
}

function sameDefinition(a: HubDeployment, b: HubDeployment): string[] {
  const diffs: string[] = [];
  if (canonicalJson(a.content ?? {}) !== canonicalJson(b.content ?? {})) diffs.push('content');
  if ((a.targetCondition ?? '').trim() !== (b.targetCondition ?? '').trim()) diffs.push(`target condition (${a.targetCondition} → ${b.targetCondition})`);
  if ((a.priority ?? 0) !== (b.priority ?? 0)) diffs.push(`priority (${a.priority ?? 0} → ${b.priority ?? 0})`);
  return diffs;
}

export class DeploymentConflictError extends EdgeOpsError {
  constructor(id: string, hostName: string, differences: string[]) {
    super('DeploymentConflict', `Deployment ${id} already exists on ${hostName} with a different ${differences.join(', ')}. IoT Hub does not allow changing a deployment's content.`, {
      hint: 'Use a new deployment id (the id template includes the build id), or enable "replace" to create the new deployment first and then remove the old one.',
    });
  }
}

/**
 * Creates one deployment per release, safely: validates the target with a query, diffs against
 * what the devices run now, creates (idempotently), then prunes the series. Nothing serving
 * devices is ever removed before its successor exists.
 */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const log = o.logger;
  if (!Number.isInteger(o.priority) || o.priority < 0) throw new InputError(`Priority must be a non-negative integer, got ${o.priority}.`, { field: 'priority' });
  if (o.applyToDevice && o.target.kind !== 'device') throw new InputError('applyConfigurationContent works on one device: choose a single device.', { field: 'deviceOption' });
  const condition = targetCondition(o.target);
  const messages: string[] = [];
  const say = (m: string) => { messages.push(m); log.info(m); };

  const devices = await findTargetedDevices(o.hub, condition);
  say(`Target condition ${condition} selects ${devices.length} edge device(s) on ${o.hub.hostName}.`);
  if (devices.length === 0 && !o.allowNoDevices) {
    throw new InputError(`Target condition "${condition}" selects no IoT Edge device on ${o.hub.hostName}.`, { field: o.target.kind === 'condition' ? 'targetCondition' : 'deviceId' },
      'Check the condition (device twin tags) and that the devices are IoT Edge devices, or allow an empty target.');
  }
  const all = await o.hub.listDeployments();
  const wanted: HubDeployment = {
    id: o.id, schemaVersion: '1.0', labels: o.labels, content: o.content, targetCondition: condition, priority: o.priority,
    metrics: { queries: o.metrics ?? {} },
  };
  const diff = buildDiff({ ...wanted, createdTimeUtc: '9999-12-31T23:59:59.999Z' }, devices, all);
  const previous = previousInSeries(all, o.series, o.id);
  const base = { deploymentId: o.id, targetCondition: condition, targetedDeviceCount: devices.length, previousDeploymentId: previous?.id, diff, messages };
  const noRetention: RetentionResult = { removed: [], kept: [] };

  if (o.applyToDevice) {
    if (o.dryRun) return { ...base, action: 'preview', retention: noRetention };
    log.warn(`Single-device mode writes the content to ${devices[0]?.deviceId ?? condition} with applyConfigurationContent: it bypasses automatic deployments (no deployment object, labels, metrics, retention or rollback), and an automatic deployment targeting this device overrides it when the hub re-evaluates.`);
    const deviceId = (o.target as { deviceId: string }).deviceId.trim();
    await o.hub.applyContentOnDevice(deviceId, o.content);
    say(`Applied the manifest to device ${deviceId} directly.`);
    return { ...base, action: 'applied', retention: noRetention };
  }

  const existing = all.find((d) => d.id === o.id) ?? (await o.hub.getDeployment(o.id));
  const bridge = all.find((d) => d.id === bridgeId(o.id));
  if (existing) {
    const differences = sameDefinition(existing, wanted);
    if (differences.length === 0) {
      say(`Deployment ${o.id} already exists with the same content, target and priority: nothing to change.`);
      if (bridge && !o.dryRun) await finishReplace(o, bridge.id, say);
      const retention = o.dryRun ? noRetention : await applyRetention(o.hub, { series: o.series, keep: o.keep ?? 0, currentId: o.id, logger: log });
      return { ...base, action: 'unchanged', retention };
    }
    if (!o.replace) throw new DeploymentConflictError(o.id, o.hub.hostName, differences);
    if (o.dryRun) { say(`Would replace deployment ${o.id} (different ${differences.join(', ')}).`); return { ...base, action: 'preview', retention: noRetention }; }
    await replaceDeployment(o, wanted, bridge, say);
    const retention = await applyRetention(o.hub, { series: o.series, keep: o.keep ?? 0, currentId: o.id, logger: log });
    return { ...base, action: 'replaced', retention };
  }
  if (o.dryRun) { say(`Dry run: deployment ${o.id} would be created (priority ${o.priority}${o.layered ? ', layered' : ''}).`); return { ...base, action: 'preview', retention: noRetention }; }

  await createOrAdopt(o.hub, wanted);
  say(`Created deployment ${o.id} (priority ${o.priority}${o.layered ? ', layered' : ''}).`);
  // A replacement interrupted after removing the old id leaves its bridge: the id is back, so the bridge goes.
  if (bridge) await finishReplace(o, bridge.id, say);
  const retention = await applyRetention(o.hub, { series: o.series, keep: o.keep ?? 0, currentId: o.id, logger: log });
  return { ...base, action: 'created', retention };
}

/** addDeployment that treats "already exists with our exact definition" (a retried create whose reply was lost) as success. */
async function createOrAdopt(hub: DeployHub, wanted: HubDeployment): Promise<void> {
  if ((await hub.addDeployment(wanted)) === 'created') return;
  const now = await hub.getDeployment(wanted.id);
  const differences = now ? sameDefinition(now, wanted) : ['(vanished)'];
  if (differences.length > 0) throw new DeploymentConflictError(wanted.id, hub.hostName, differences);
}

/**
 * Replacing content under one id without a gap: a bridge deployment with the new content (same
 * target and priority, newer, so it wins) takes over, the old id is removed, the id is created
 * again with the new content (newer still), and the bridge is removed. At every step each device
 * has a deployment with either the old or the new content.
 */
async function replaceDeployment(o: DeployOptions, wanted: HubDeployment, bridge: HubDeployment | undefined, say: (m: string) => void): Promise<void> {
  const bId = bridgeId(o.id);
  const bridgeDef: HubDeployment = { ...wanted, id: bId, labels: { [BRIDGE_LABEL]: o.id, [LABELS.managedBy]: 'edgeops' } };
  if (bridge && sameDefinition(bridge, bridgeDef).length > 0) {
    throw new EdgeOpsError('DeploymentConflict', `A replacement bridge ${bId} from an earlier, different replacement of ${o.id} still exists on ${o.hub.hostName}.`, {
      hint: `Check which devices it serves, then remove it (edgeops deploy rollback --id ${bId}) or deploy under a new id.`,
    });
  }
  if (!bridge) await createOrAdopt(o.hub, bridgeDef);
  say(`Replacing ${o.id}: bridge ${bId} with the new content now serves its devices.`);
  await o.hub.removeDeployment(o.id);
  await createOrAdopt(o.hub, wanted);
  say(`Replaced deployment ${o.id}: old content removed only after the new one existed.`);
  await finishReplace(o, bId, say);
}

async function finishReplace(o: DeployOptions, bId: string, say: (m: string) => void): Promise<void> {
  await o.hub.removeDeployment(bId);
  say(`Removed replacement bridge ${bId}.`);
}
