import { TelemetryReader, TelemetryReaderOptions } from '../hub/telemetry';
import { TelemetrySource } from './probes';

/**
 * Telemetry counts from the local emulator (one request for the whole fleet). A real hub delivers
 * telemetry to its Event Hubs endpoint, which the IoT Hub service SDK cannot read: the reader refuses
 * a real hub with an InputError saying so.
 */
export function emulatorTelemetry(opts: TelemetryReaderOptions): TelemetrySource {
  const reader = new TelemetryReader(opts);
  return {
    async countsSince(since) {
      return (await reader.summary({ since })).map((r) => ({ deviceId: r.deviceId, moduleId: r.moduleId, countSince: r.countSince }));
    },
  };
}
