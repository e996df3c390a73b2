import { Logger } from '../core/logger';
import { deploy, DeployResult } from './deploy';
import { DeployHub } from './hub';
import { deploymentLabels, IdVars, normalizeDeploymentId, renderDeploymentId, renderSeries } from './id';
import { fillCredentials, loadDeploymentManifest, registryPasswords, resolveManifestPath, SuppliedRegistryCredential } from './manifest';
import { renderDiffText } from './preview';
import { rollbackDeployment, RollbackResult } from './rollback';
import { deployMarkdown, rollbackMarkdown, writeSummary } from './summary';
import { Target } from './target';

/** Everything a deploy run needs, as the task and the CLI collect it. */
export interface DeployRunOptions {
  hub: DeployHub;
  logger: Logger;
  manifestPattern: string;
  cwd: string;
  idTemplate: string;
  idVars: IdVars;
  /** Series label; default: the id template without its per-run tokens. */
  series?: string;
  labelInfo?: { pipeline?: string; run?: string; commit?: string; stage?: string };
  target: Target;
  priority: number;
  /** undefined = take it from the manifest. */
  layered?: boolean;
  metrics?: Record<string, string>;
  registryCredentials?: SuppliedRegistryCredential[];
  registryVars?: Record<string, string | undefined>;
  allowNoDevices?: boolean;
  replace?: boolean;
  keep?: number;
  dryRun?: boolean;
  singleDeviceApply?: boolean;
  summaryDir: string;
}

export interface DeployRunOutput {
  result: DeployResult;
  summaryPath: string;
  markdownPath: string;
}

/** Manifest → id/labels → deploy → summary files; shared by IoTEdgeDeploy and `edgeops deploy`. */
export async function runDeploy(o: DeployRunOptions): Promise<DeployRunOutput> {
  const file = resolveManifestPath(o.manifestPattern, o.cwd);
  const manifest = loadDeploymentManifest(file, { layered: o.layered });
  const content = fillCredentials(manifest, o.registryCredentials ?? [], o.registryVars ?? {});
  for (const p of registryPasswords(content)) o.logger.setSecret(p);
  const id = renderDeploymentId(o.idTemplate, o.idVars);
  const series = o.series ? normalizeDeploymentId(o.series, 'series') : renderSeries(o.idTemplate, o.idVars);
  o.logger.info(`Manifest ${file} (${manifest.layered ? 'layered' : 'base'} deployment, content sha256 ${manifest.contentHash.slice(0, 12)}); deployment id ${id}, series ${series}.`);
  const result = await deploy({
    hub: o.hub, logger: o.logger, id, series, content, layered: manifest.layered, target: o.target, priority: o.priority,
    labels: deploymentLabels({ series, contentHash: manifest.contentHash, ...o.labelInfo }), metrics: o.metrics,
    allowNoDevices: o.allowNoDevices, replace: o.replace, keep: o.keep, dryRun: o.dryRun, applyToDevice: o.singleDeviceApply,
  });
  o.logger.info(renderDiffText(result.diff));
  const { jsonPath, markdownPath } = writeSummary(o.summaryDir, id, { ...result, hub: o.hub.hostName, manifest: file, contentHash: manifest.contentHash }, deployMarkdown(result, o.hub.hostName));
  return { result, summaryPath: jsonPath, markdownPath };
}

export interface RollbackRunOptions {
  hub: DeployHub;
  logger: Logger;
  id: string;
  series?: string;
  mode?: 'remove' | 'retarget';
  summaryDir: string;
}

export async function runRollback(o: RollbackRunOptions): Promise<{ result: RollbackResult; summaryPath: string; markdownPath: string }> {
  const result = await rollbackDeployment({ hub: o.hub, logger: o.logger, id: o.id, mode: o.mode, series: o.series });
  const { jsonPath, markdownPath } = writeSummary(o.summaryDir, `rollback-${o.id}`, { ...result, hub: o.hub.hostName }, rollbackMarkdown(result, o.hub.hostName));
  return { result, summaryPath: jsonPath, markdownPath };
}
