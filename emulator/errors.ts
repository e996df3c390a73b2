/**
 * Errors as IoT Hub sends them: `{"Message":"ErrorCode:<Code>;<text>"}`. The azure-iothub SDK
 * splits Message on ';' and ':' to pick its typed error, so the text must not contain ';'.
 */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** IoT Hub's six-digit error code (e.g. 404103), when it has a well-known one. */
    readonly numericCode?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    const text = this.message.replace(/;/g, ',');
    const body: Record<string, unknown> = {
      Message: `ErrorCode:${this.code};${text}`,
      ExceptionMessage: `Tracking ID:emulator-${Date.now().toString(36)}-G:0-TimeStamp:${new Date().toISOString()}`,
    };
    if (this.numericCode !== undefined) body.errorCode = this.numericCode;
    return JSON.stringify(body);
  }
}

export const badRequest = (message: string, code = 'ArgumentInvalid') => new HubError(400, code, message, 400004);
export const unauthorized = (message = 'Unauthorized') => new HubError(401, 'IotHubUnauthorizedAccess', message, 401002);
export const deviceNotFound = (deviceId: string) => new HubError(404, 'DeviceNotFound', `Device ${deviceId} not registered`, 404001);
export const moduleNotFound = (deviceId: string, moduleId: string) =>
  new HubError(404, 'ModuleNotFound', `Module ${moduleId} on device ${deviceId} not registered`, 404010);
export const preconditionFailed = (what: string) =>
  new HubError(412, 'PreconditionFailed', `Precondition failed: ${what} etag does not match If-Match`, 412002);
