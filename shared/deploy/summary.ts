import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write';
import { DeployResult } from './deploy';
import { renderDiffMarkdown } from './preview';
import { RollbackResult } from './rollback';

const ACTION_TEXT: Record<DeployResult['action'], string> = {
  created: 'created', unchanged: 'already present with the same content — nothing changed', replaced: 'replaced (new content created before the old was removed)',
  preview: 'preview only (dry run) — nothing was created', applied: 'applied to the device with applyConfigurationContent (bypasses automatic deployments)',
};

export function deployMarkdown(r: DeployResult, hostName: string): string {
  const lines = [
    `## IoT Edge deployment \`${r.deploymentId}\` on ${hostName}`, '',
    `- Result: **${ACTION_TEXT[r.action]}**`,
    `- Target condition: \`${r.targetCondition}\` → ${r.targetedDeviceCount} edge device(s)`,
    `- Previous deployment of the series: ${r.previousDeploymentId ? '`' + r.previousDeploymentId + '`' : 'none'}`,
  ];
  if (r.retention.removed.length) lines.push(`- Retention removed: ${r.retention.removed.map((i) => '`' + i + '`').join(', ')}`);
  for (const k of r.retention.kept) lines.push(`- Retention kept \`${k.id}\`: ${k.reason}`);
  lines.push('', renderDiffMarkdown(r.diff));
  return lines.join('\n');
}

export function rollbackMarkdown(r: RollbackResult, hostName: string): string {
  const lines = [`## Rollback of \`${r.rolledBackId}\` on ${hostName}`, '', `- Result: **${r.action}**`];
  if (r.restored) {
    lines.push(`- Restored: \`${r.restored.id}\` (created ${r.restored.createdTimeUtc ?? '?'}, priority ${r.restored.priority ?? 0}, targets ${r.restored.targetedDeviceCount} device(s))`);
    for (const [m, i] of Object.entries(r.restored.images)) lines.push(`  - ${m}: \`${i}\``);
  }
  if (r.notCoveredDeviceIds.length) lines.push(`- Not targeted by the restored deployment: ${r.notCoveredDeviceIds.length} device(s)`);
  return lines.join('\n') + '\n';
}

/** Writes `<dir>/edgeops-deploy-<id>.json` and `.md` atomically; returns both paths. */
export function writeSummary(dir: string, id: string, json: unknown, markdown: string): { jsonPath: string; markdownPath: string } {
  const safe = id.replace(/[^a-z0-9\-_.]/gi, '_');
  const jsonPath = path.resolve(dir, `edgeops-deploy-${safe}.json`);
  const markdownPath = path.resolve(dir, `edgeops-deploy-${safe}.md`);
  writeJsonAtomic(jsonPath, json);
  writeFileAtomic(markdownPath, markdown);
  return { jsonPath, markdownPath };
}
