/** The deployment manifest engine: iotedgedev-compatible genconfig, validated and digest-pinned. */
export { buildManifest, generateManifest, writeManifest, GenerateOptions, GeneratedManifest, ValidationMode } from './generate';
export { PushResults, PushResultImage, readPushResults, pinMap } from './push-results';
export { registryCredentialSets, registryCredentialsOf, fillRegistryPasswords, RegistryCredentialSet } from './registry';
export { validateManifest, ValidationIssue } from './validate';
export { convertCreateOptions, checkCreateOptions, CHUNK_SIZE, MAX_CHUNKS } from './create-options';
export { manifestFileName, resolveOutputPath, summaryPathFor } from './output';
export { ManifestSummary, SummaryModule, summaryMarkdown } from './summary';
export { listModules, findModulesContent, isLayered } from './modules-content';
export { loadTemplate } from './template';
