/** Device side of the local IoT Hub emulator: MQTT over TLS with IoT Hub's topic contract. See docs/emulator.md. */
export { DeviceEndpoint, DeviceEndpointOptions, DeviceHub } from './endpoint';
export { TelemetryStore, TelemetryMessage, TelemetrySummary, TelemetryQuery } from './telemetry';
export { deviceRoutes, attachEndpoint } from './routes';
export { parseUsername, parseDevicePublish, parseProperties, subscriptionKind, Identity } from './topics';
export { inputTargets } from './routing';
