// Tests use the same local registry the CLI offers (`edgeops registry start`).
export { startRegistry, makeTlsMaterial } from '../../cli/local/registry';
export type { TestRegistry, RegistryOptions } from '../../cli/local/registry';
