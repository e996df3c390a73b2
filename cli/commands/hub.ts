import * as fs from 'fs';
import * as path from 'path';
import { Command, CliContext, parseOptions } from '../command';
import { InputError } from '../../shared/core/errors';
import { parseJsonText, readJsonFile } from '../../shared/core/json';
import { writeJsonAtomic } from '../../shared/core/atomic-write';
import { withRetry } from '../../shared/core/retry';
import { silentLogger } from '../../shared/core/logger';
import { createHubClients, HubClients } from '../../shared/hub/clients';
import { HubEmulator, validateFaultRules, HubError } from '../../emulator';

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${name} must be an integer between ${min} and ${max}, got '${value}'`);
  return n;
}

const hubTarget = {
  'hub-info': { type: 'string' },
  hub: { type: 'string' },
  ca: { type: 'string' },
} as const;

function clientsFrom(ctx: CliContext, values: { 'hub-info'?: string; hub?: string; ca?: string }): HubClients {
  const cs = values.hub ?? process.env.EDGEOPS_HUB_CONNECTION_STRING;
  if (!values['hub-info'] && !cs) throw new InputError('Say which hub: --hub-info <file> (from `edgeops hub start --info`) or --hub <connection string> (or EDGEOPS_HUB_CONNECTION_STRING)');
  return createHubClients({ hubInfoFile: values['hub-info'], connectionString: cs, caFile: values.ca, log: ctx.log });
}

export const hubStart: Command = {
  path: ['hub', 'start'],
  summary: 'Run the local IoT Hub emulator in the foreground',
  usage: 'edgeops hub start [--port N] [--state DIR | --in-memory] [--info FILE] [--host ADDR] [--hostname NAME] [--faults FILE] [--deployment-delay MS] [--mqtt-port N]',
  async run(ctx) {
    const { values } = parseOptions(this, ctx.argv, {
      port: { type: 'string' }, state: { type: 'string' }, 'in-memory': { type: 'boolean' }, info: { type: 'string' },
      host: { type: 'string' }, hostname: { type: 'string' }, faults: { type: 'string' }, 'deployment-delay': { type: 'string' },
      'mqtt-port': { type: 'string' },
    });
    if (values.state && values['in-memory']) throw new InputError('--state and --in-memory exclude each other');
    const faults = values.faults ? validateFaults(values.faults) : undefined;
    const hub = new HubEmulator({
      port: intOption(values.port, 'port', 0, 65535) ?? 0,
      stateDir: values.state ? path.resolve(values.state) : undefined,
      inMemory: values['in-memory'],
      listenHost: values.host,
      hostName: values.hostname,
      faults,
      deploymentDelayMs: intOption(values['deployment-delay'], 'deployment-delay', 0, 3_600_000),
      mqttPort: intOption(values['mqtt-port'], 'mqtt-port', 0, 65535) ?? 0,
      // The emulator's own keys are what this command is for: it prints the owner connection string.
      log: { ...silentLogger, error: (m) => ctx.log.error(m), debug: (m) => ctx.log.debug(m) },
    });
    let info;
    try {
      info = await hub.start();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError(`Cannot listen on port ${values.port}: ${code}`, undefined, 'Pick another --port, or --port 0 for a free one.');
      throw e;
    }
    if (values.info) writeJsonAtomic(values.info, info);
    ctx.log.info(`IoT Hub emulator listening on https://${info.host}:${info.port} (${values['in-memory'] ? 'in memory' : 'state in ' + (values.state ?? '~/.edgeops/hub')})`);
    ctx.log.info(`Device endpoint (MQTT over TLS): ${info.host}:${info.mqttPort}`);
    ctx.log.info(`Connection string: ${info.connectionString}`);
    ctx.log.info(`CA certificate: ${info.caFile}`);
    if (values.info) ctx.log.info(`Hub info: ${path.resolve(values.info)}`);
    ctx.log.info('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await hub.stop();
    if (values.info) fs.rmSync(values.info, { force: true }); // a stale file would point at a dead port
    ctx.log.info('IoT Hub emulator stopped.');
    return 0;
  },
};

function validateFaults(file: string) {
  const doc = readJsonFile(file);
  try {
    return validateFaultRules(doc.value, 'faults');
  } catch (e) {
    if (e instanceof HubError) throw new InputError(e.message, { file });
    throw e;
  }
}

export const hubDeviceCreate: Command = {
  path: ['hub', 'device', 'create'],
  summary: 'Create a device identity (idempotent) in an IoT hub or the emulator',
  usage: 'edgeops hub device create <id> [--edge] [--tags JSON] (--hub-info FILE | --hub CONNECTION_STRING) [--ca FILE]',
  async run(ctx) {
    const { values, positionals } = parseOptions(this, ctx.argv, { edge: { type: 'boolean' }, tags: { type: 'string' }, ...hubTarget }, true);
    if (positionals.length !== 1) throw new InputError(`Expected exactly one device id\nUsage: ${this.usage}`);
    const deviceId = positionals[0];
    const tags = values.tags !== undefined ? parseJsonText<Record<string, unknown>>(values.tags, '--tags').value : undefined;
    if (tags !== undefined && (tags === null || typeof tags !== 'object' || Array.isArray(tags))) throw new InputError('--tags must be a JSON object, e.g. {"environment":"dev"}');
    const { registry } = clientsFrom(ctx, values);
    let created = true;
    try {
      await withRetry(() => registry.create({ deviceId, capabilities: { iotEdge: !!values.edge } } as Parameters<typeof registry.create>[0]));
    } catch (e) {
      if ((e as Error).name !== 'DeviceAlreadyExistsError') throw describeHubError(e);
      created = false;
      const existing = (await withRetry(() => registry.get(deviceId))).responseBody;
      if (!!existing.capabilities?.iotEdge !== !!values.edge) {
        throw new InputError(`Device '${deviceId}' already exists ${existing.capabilities?.iotEdge ? 'as' : 'but not as'} an IoT Edge device`);
      }
    }
    if (tags) await withRetry(() => registry.updateTwin(deviceId, { tags }, '*'));
    ctx.log.info(`Device '${deviceId}' ${created ? 'created' : 'already exists'}${values.edge ? ' (IoT Edge)' : ''}${tags ? ', tags set' : ''}.`);
    return 0;
  },
};

export const hubQuery: Command = {
  path: ['hub', 'query'],
  summary: 'Run an IoT Hub query and print the results as JSON',
  usage: 'edgeops hub query "<sql>" (--hub-info FILE | --hub CONNECTION_STRING) [--ca FILE] [--page-size N]',
  async run(ctx) {
    const { values, positionals } = parseOptions(this, ctx.argv, { 'page-size': { type: 'string' }, ...hubTarget }, true);
    if (positionals.length !== 1) throw new InputError(`Expected the query as one argument, e.g. "SELECT * FROM devices"\nUsage: ${this.usage}`);
    const { registry } = clientsFrom(ctx, values);
    const query = registry.createQuery(positionals[0], intOption(values['page-size'], 'page-size', 1, 1000) ?? 100);
    const rows: unknown[] = [];
    try {
      while (query.hasMoreResults) {
        const page = await withRetry(() => query.next(query.continuationToken));
        rows.push(...(page.result as unknown[]));
      }
    } catch (e) {
      throw describeHubError(e);
    }
    ctx.log.info(JSON.stringify(rows, null, 2));
    return 0;
  },
};

/** The hub's own message (400 for bad query syntax, 401 …) without a stack trace. */
function describeHubError(e: unknown): unknown {
  const status = (e as { response?: { statusCode?: number } }).response?.statusCode;
  if (status && status < 500) return new InputError(`IoT Hub rejected the request (${status}): ${(e as Error).message}`);
  return e;
}

export const hubCommands: Command[] = [hubStart, hubDeviceCreate, hubQuery];
