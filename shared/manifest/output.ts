import * as path from 'path';

/**
 * iotedgedev's output name: `<template name without .template.json>[.<platform>].json`,
 * with the platform only when `$schema-template` is above "0.0.1" (compared as strings,
 * as iotedgedev does); DEPLOYMENT_CONFIG_FILE replaces the whole name.
 */
export function manifestFileName(templateFile: string, schemaTemplate: unknown, platform: string, deploymentConfigFile?: string): string {
  if (deploymentConfigFile) return deploymentConfigFile;
  const ver = typeof schemaTemplate === 'string' ? schemaTemplate : '';
  const suffix = ver > '0.0.1' ? `.${platform}` : '';
  const base = path.basename(templateFile);
  let prefix: string;
  if (base.endsWith('.template.json')) prefix = base.slice(0, -'.template.json'.length);
  else if (base.endsWith('.json')) prefix = base.slice(0, -'.json'.length);
  else prefix = 'deployment';
  return `${prefix}${suffix}.json`;
}

export interface OutputPathOptions {
  templateFile: string;
  schemaTemplate: unknown;
  platform: string;
  /** Explicit file path: wins over everything. */
  outputPath?: string;
  /** Output folder (default CONFIG_OUTPUT_DIR, then "config"), relative to cwd. */
  outputDir?: string;
  vars: Record<string, string | undefined>;
  cwd: string;
}

export function resolveOutputPath(o: OutputPathOptions): string {
  if (o.outputPath) return path.resolve(o.cwd, o.outputPath);
  const dir = o.outputDir || o.vars.CONFIG_OUTPUT_DIR || 'config';
  return path.resolve(o.cwd, dir, manifestFileName(o.templateFile, o.schemaTemplate, o.platform, o.vars.DEPLOYMENT_CONFIG_FILE));
}

/** The summary file beside a manifest: deployment.amd64.json -> deployment.amd64.summary.json. */
export function summaryPathFor(manifestPath: string): string {
  return manifestPath.replace(/(\.json)?$/i, '.summary.json');
}
