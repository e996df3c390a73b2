/** Edge-device simulator: IoT Edge devices that apply deployments like the agent. See docs/simulator.md. */
export { DeviceSimulator, SimulatorOptions } from './simulator';
export { SimulatedDevice } from './device';
export { VirtualRuntime, ModuleRuntime, VirtualOptions } from './virtual-runtime';
export { ImageChecker, splitImage } from './image-check';
export { parseAgentDesired, buildReported, AgentSpec, ModuleSpec, ModuleState, DesiredStatus } from './agent-model';
export { sdkLinks, LinkFactory, AgentLink, DeviceLink } from './links';
export { ensureEdgeDevices, EdgeIdentity } from './identities';
export { liteLinks } from './lite-mqtt';
export { DockerRuntime, DockerRuntimeOptions } from './docker-runtime';
