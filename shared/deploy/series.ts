import { HubDeployment } from './hub';
import { LABELS } from './id';

export const ROLLED_BACK_LABEL = 'edgeops.rolledBack';
export const BRIDGE_LABEL = 'edgeops.bridgeFor';

/** Deployments of a series, newest first (rolled-back and replacement bridges left out). */
export function seriesMembers(all: HubDeployment[], series: string): HubDeployment[] {
  return all
    .filter((d) => d.labels?.[LABELS.series] === series && !d.labels?.[ROLLED_BACK_LABEL] && !d.labels?.[BRIDGE_LABEL])
    .sort(newestFirst);
}

export function newestFirst(a: HubDeployment, b: HubDeployment): number {
  return String(b.createdTimeUtc ?? '').localeCompare(String(a.createdTimeUtc ?? '')) || b.id.localeCompare(a.id);
}

/** The series member created before `id` (or the newest other one when `id` is not in the list). */
export function previousInSeries(all: HubDeployment[], series: string, id: string): HubDeployment | undefined {
  const members = seriesMembers(all, series);
  const i = members.findIndex((d) => d.id === id);
  return i >= 0 ? members[i + 1] : members.find((d) => d.id !== id);
}
