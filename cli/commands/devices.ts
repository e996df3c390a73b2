import * as fs from 'fs';
import { Command, parseOptions, requireOption } from '../command';
import { InputError } from '../../shared/core/errors';
import { parseJsonText } from '../../shared/core/json';
import { DeviceSimulator, ModuleRuntime } from '../../emulator/simulator';
import { DockerRuntime } from '../../emulator/simulator/docker-runtime';
import { liteLinks } from '../../emulator/simulator/lite-mqtt';
import { readHubInfo } from '../../shared/hub/hub-info';

function int(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${name} must be an integer between ${min} and ${max}, got '${value}'`);
  return n;
}

export const devicesSimulate: Command = {
  path: ['devices', 'simulate'],
  summary: 'Simulate IoT Edge devices against the local emulator until stopped (Ctrl+C)',
  usage: 'edgeops devices simulate --hub-info FILE --count N [--prefix P] [--mode virtual|docker] [--tags JSON] [--offline K] [--arch A] [--apply-delay MS] [--registry-ca FILE] [--client sdk|lite]',
  async run(ctx) {
    const { values } = parseOptions(this, ctx.argv, {
      'hub-info': { type: 'string' }, count: { type: 'string' }, prefix: { type: 'string' }, mode: { type: 'string' }, tags: { type: 'string' },
      offline: { type: 'string' }, arch: { type: 'string' }, 'apply-delay': { type: 'string' }, 'registry-ca': { type: 'string' }, client: { type: 'string' },
    });
    const hubInfoFile = requireOption(this, values['hub-info'], 'hub-info');
    const count = int(requireOption(this, values.count, 'count'), 'count', 1, 100_000)!;
    const mode = values.mode ?? 'virtual';
    if (mode !== 'virtual' && mode !== 'docker') throw new InputError(`--mode must be virtual or docker, got '${mode}'`);
    let tags: Record<string, unknown> | undefined;
    if (values.tags !== undefined) {
      const v = parseJsonText<unknown>(values.tags, '--tags').value;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError('--tags must be a JSON object, e.g. {"environment":"dev","ring":"canary"}');
      tags = v as Record<string, unknown>;
    }
    const prefix = values.prefix ?? 'sim-';
    if (!/^[A-Za-z0-9\-._:]{1,100}$/.test(prefix)) throw new InputError(`--prefix '${prefix}' is not a valid device id prefix (letters, digits, - . _ :)`);
    let registryCa: string[] | undefined;
    if (values['registry-ca']) {
      try { registryCa = [fs.readFileSync(values['registry-ca'], 'utf8')]; } catch (e) { throw new InputError(`Cannot read --registry-ca ${values['registry-ca']}: ${(e as NodeJS.ErrnoException).code}`, { file: values['registry-ca'] }); }
    }
    const info = readHubInfo(hubInfoFile);
    // One SDK client per identity is heavy; thousands of devices use the lite client (same topics and auth).
    const client = values.client ?? (count > 1000 ? 'lite' : 'sdk');
    if (client !== 'sdk' && client !== 'lite') throw new InputError(`--client must be sdk or lite, got '${client}'`);
    const links = client === 'lite' ? liteLinks(info, fs.readFileSync(info.caFile, 'utf8')) : undefined;
    let runtimeFactory: ((id: string) => ModuleRuntime) | undefined;
    if (mode === 'docker') {
      if (count > 20) throw new InputError('--mode docker runs real containers: at most 20 devices');
      runtimeFactory = (id) => new DockerRuntime({ deviceId: id, hub: info, log: ctx.log });
    }
    const sim = new DeviceSimulator({
      hubInfo: info, hubInfoFile, count, prefix, mode, tags, offline: int(values.offline, 'offline', 0, count),
      architecture: values.arch ?? 'x86_64', applyDelayMs: int(values['apply-delay'], 'apply-delay', 0, 3_600_000), registryCa, runtimeFactory, links,
      log: ctx.log, onStatus: (d, line) => ctx.log.info(`${d} ${line}`),
    });
    const stop = new Promise<void>((resolve) => { process.once('SIGINT', () => resolve()); process.once('SIGTERM', () => resolve()); });
    ctx.log.info(`Simulating ${count} IoT Edge device(s) (${mode}, ${client} client) as ${sim.deviceIds()[0]}…; Ctrl+C to stop.`);
    const started = sim.start();
    const first = await Promise.race([started.then(() => 'started' as const), stop.then(() => 'stopped' as const)]);
    if (first === 'started') {
      ctx.log.info(`${sim.devices.length} device(s) connected${sim.offlineIds.length ? `, ${sim.offlineIds.length} offline (${sim.offlineIds.join(', ')})` : ''}.`);
      await stop;
    } else {
      await started.catch(() => undefined);
    }
    await sim.stop();
    ctx.log.info('Simulator stopped.');
    return 0;
  },
};

export const devicesCommands: Command[] = [devicesSimulate];
