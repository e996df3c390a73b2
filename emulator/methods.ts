import { HubError } from './errors';

export interface MethodRequest {
  methodName: string;
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

export interface MethodResponse {
  status: number;
  payload: unknown;
}

/**
 * Delivers a direct method to a connected device or module and returns its answer. The service
 * side only routes; the device side (MQTT) plugs in a dispatcher that reaches connected clients.
 * Throw HubError for hub-level failures (404103 not connected, 504101 timeout).
 */
export interface MethodDispatcher {
  invoke(deviceId: string, moduleId: string | undefined, req: MethodRequest): Promise<MethodResponse>;
}

export function notOnline(deviceId: string, moduleId?: string): HubError {
  const who = moduleId ? `Module ${moduleId} on device ${deviceId}` : `Device ${deviceId}`;
  return new HubError(404, 'DeviceNotOnline', `${who} is not online (not connected)`, 404103);
}

export function methodTimeout(deviceId: string, moduleId?: string): HubError {
  const who = moduleId ? `${deviceId}/${moduleId}` : deviceId;
  return new HubError(504, 'GatewayTimeoutException', `Timed out waiting for the response from ${who}`, 504101);
}

/** Until a device side exists nobody is connected. */
export const offlineDispatcher: MethodDispatcher = {
  invoke(deviceId, moduleId) {
    return Promise.reject(notOnline(deviceId, moduleId));
  },
};
