import { HubDeployment } from './hub';
import { diffEffective, DiffItem } from './diff';
import { effectiveDesired, isLayeredContent, layerOrder } from './effective';
import { TargetedDevice } from './target';

/** Devices that run the same deployments now, and what the new deployment changes for them. */
export interface DiffGroup {
  /** Winning base deployment now ('' = none). */
  base: string;
  layers: string[];
  deviceIds: string[];
  items: DiffItem[];
}

export interface DiffReport {
  deploymentId: string;
  targetedDeviceCount: number;
  groups: DiffGroup[];
}

const applied = (s: string) => s.toLowerCase() === 'applied';

/**
 * Groups the targeted devices by the deployments winning for them now (status Applied) and
 * diffs each group's effective configuration against the one it gets once the new deployment
 * is live (a base deployment replaces the base; a layered one is added to the layers).
 */
export function buildDiff(newDep: HubDeployment, devices: TargetedDevice[], all: HubDeployment[]): DiffReport {
  const byId = new Map(all.filter((d) => d.id !== newDep.id).map((d) => [d.id, d]));
  const newLayered = isLayeredContent(newDep.content);
  const groups = new Map<string, DiffGroup>();
  for (const dev of devices) {
    let base = '';
    const layers: string[] = [];
    for (const [id, status] of Object.entries(dev.configurations)) {
      const d = byId.get(id);
      if (!d || !applied(status) || !d.content?.modulesContent) continue;
      if (isLayeredContent(d.content)) layers.push(id);
      else if (!base || layerOrder(byId.get(base)!, d) < 0) base = id;
    }
    layers.sort((a, b) => layerOrder(byId.get(a)!, byId.get(b)!));
    const key = [base, ...layers].join('\u0000');
    let g = groups.get(key);
    if (!g) { g = { base, layers, deviceIds: [], items: [] }; groups.set(key, g); }
    g.deviceIds.push(dev.deviceId);
  }
  for (const g of groups.values()) {
    const layersNow = g.layers.map((id) => byId.get(id)!);
    const before = effectiveDesired(g.base ? byId.get(g.base)!.content : undefined, layersNow.map((d) => d.content));
    const after = newLayered
      ? effectiveDesired(g.base ? byId.get(g.base)!.content : undefined, [...layersNow, newDep].sort(layerOrder).map((d) => d.content))
      : effectiveDesired(newDep.content, layersNow.map((d) => d.content));
    g.items = diffEffective(before, after);
  }
  return { deploymentId: newDep.id, targetedDeviceCount: devices.length, groups: [...groups.values()].sort((a, b) => b.deviceIds.length - a.deviceIds.length) };
}

function short(v: string | undefined, max = 100): string {
  if (v === undefined) return '—';
  return v.length > max ? v.slice(0, max - 1) + '…' : v;
}

function devicesText(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

function itemText(i: DiffItem): string {
  const what = `${i.area} ${i.name}${i.field && !(i.change !== 'changed' && i.field === 'image' && i.area.endsWith('module')) ? ` ${i.field}` : ''}`;
  if (i.change === 'added') return `+ ${what}: ${short(i.after)}`;
  if (i.change === 'removed') return `- ${what}: ${short(i.before)}`;
  return `~ ${what}: ${short(i.before)} → ${short(i.after)}`;
}

function groupTitle(g: DiffGroup): string {
  const now = g.base || g.layers.length ? [g.base || '(no base deployment)', ...g.layers.map((l) => `+${l}`)].join(' ') : 'no deployment';
  return `${g.deviceIds.length} device(s) now on ${now}`;
}

export function renderDiffText(r: DiffReport): string {
  const lines = [`Deployment ${r.deploymentId} targets ${r.targetedDeviceCount} edge device(s).`];
  for (const g of r.groups) {
    lines.push(`${groupTitle(g)} (${devicesText(g.deviceIds)}):`);
    if (g.items.length === 0) lines.push('  no changes');
    for (const i of g.items) lines.push('  ' + itemText(i));
  }
  return lines.join('\n');
}

const md = (s: string | undefined) => (s === undefined ? '' : '`' + short(s, 80).replace(/`/g, "'").replace(/\|/g, '\\|') + '`');

export function renderDiffMarkdown(r: DiffReport): string {
  const out = [`### Deployment \`${r.deploymentId}\``, '', `Targets **${r.targetedDeviceCount}** edge device(s).`, ''];
  for (const g of r.groups) {
    out.push(`#### ${groupTitle(g)}`, '', `Devices: ${devicesText(g.deviceIds)}`, '');
    if (g.items.length === 0) { out.push('No changes.', ''); continue; }
    out.push('| Change | Kind | Name | Field | Now | New |', '|---|---|---|---|---|---|');
    for (const i of g.items) out.push(`| ${i.change} | ${i.area} | ${i.name.replace(/\|/g, '\\|')} | ${i.field} | ${md(i.before)} | ${md(i.after)} |`);
    out.push('');
  }
  return out.join('\n');
}
