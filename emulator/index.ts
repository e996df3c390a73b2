/** Local IoT Hub emulator (service side). See docs/emulator.md. */
export { HubEmulator, HubEmulatorOptions, HubInfo, defaultStateDir } from './server';
export { HubState, TwinChange, IdentityChange, ConnectionChange, DeviceRecord, ModuleRecord } from './state';
export { MethodDispatcher, MethodRequest, MethodResponse, notOnline, methodTimeout } from './methods';
export { FaultRule, FaultKind, validateFaultRules } from './faults';
export { HubError } from './errors';
export { AccessPolicy, parseSas, signSas, signatureMatches, resourceCovers, expired } from './auth';
