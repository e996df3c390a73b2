/** Module discovery: the solution layout iotedgedev defines, for build, push and the manifest engine. */
export * from './types';
export { discoverModules, DiscoverOptions, DiscoverResult } from './discover';
export { parseDotenv, resolveDotenv, DotenvEntry } from './dotenv';
export { loadSolutionEnv, SolutionEnv, isSecretName, parseBypassModules, isBypassed, registerSecrets } from './env';
export { expandVariables, jsonEscape, VarRef } from './expand-vars';
export { loadModuleJson } from './module-json';
export { imageTag, checkImageReference, ModuleCatalog, solutionCatalog, ResolvedImage, ImageResolveError } from './images';
