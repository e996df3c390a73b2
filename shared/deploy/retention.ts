import { Logger } from '../core/logger';
import { DeployHub } from './hub';
import { seriesMembers } from './series';
import { devicesApplying } from './target';

export interface RetentionResult {
  removed: string[];
  kept: { id: string; reason: string }[];
}

/**
 * Keeps the newest `keep` deployments of a series (the new one among them) and removes older
 * ones — but never one still applied on a device: that device has not moved to the new
 * deployment yet, and removing its deployment would leave it falling back to something older.
 * A later run removes it once no device applies it.
 */
export async function applyRetention(hub: DeployHub, opts: { series: string; keep: number; currentId: string; logger: Logger }): Promise<RetentionResult> {
  const result: RetentionResult = { removed: [], kept: [] };
  if (!(opts.keep >= 1)) return result;
  const members = seriesMembers(await hub.listDeployments(), opts.series);
  const older = members.filter((d) => d.id !== opts.currentId).slice(Math.max(0, opts.keep - 1));
  for (const d of older) {
    const serving = await devicesApplying(hub, d.id);
    if (serving.length > 0) {
      const reason = `still applied on ${serving.length} device(s): ${serving.slice(0, 5).join(', ')}${serving.length > 5 ? ' …' : ''}`;
      opts.logger.info(`Retention: keeping ${d.id}, ${reason}.`);
      result.kept.push({ id: d.id, reason });
      continue;
    }
    const r = await hub.removeDeployment(d.id);
    opts.logger.info(`Retention: removed ${d.id}${r === 'absent' ? ' (already gone)' : ''} (older than the newest ${opts.keep} of series ${opts.series}).`);
    result.removed.push(d.id);
  }
  return result;
}
