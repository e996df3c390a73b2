import * as path from 'path';
import * as fs from 'fs';
import { Command, parseOptions } from '../command';
import { InputError } from '../../shared/core/errors';
import { writeFileAtomic } from '../../shared/core/atomic-write';
import { startRegistry } from '../local/registry';

export const registryStart: Command = {
  path: ['registry', 'start'],
  summary: 'Run a local OCI registry (Debian docker-registry) in the foreground',
  usage: 'edgeops registry start [--port N] [--no-auth] [--no-tls] [--storage DIR] [--info FILE]',
  async run(ctx) {
    const { values } = parseOptions(this, ctx.argv, {
      port: { type: 'string' }, 'no-auth': { type: 'boolean' }, 'no-tls': { type: 'boolean' },
      storage: { type: 'string' }, info: { type: 'string' },
    });
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port must be an integer between 0 and 65535, got '${values.port}'`);
      if (port === 0) port = undefined;
    }
    const reg = await startRegistry({ auth: !values['no-auth'], tls: !values['no-tls'], port, storageDir: values.storage });
    const info = { address: reg.address, url: reg.url, username: reg.username, password: reg.password, caFile: reg.caFile };
    // The password is for this local registry only; it goes to the info file (owner-readable), not the console.
    if (values.info) writeFileAtomic(values.info, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
    if (reg.password) ctx.log.setSecret(reg.password);
    ctx.log.info(`Registry listening on ${reg.url}${reg.username ? ` (user ${reg.username}; password in the info file)` : ' (anonymous)'}`);
    if (reg.caFile) ctx.log.info(`CA certificate: ${reg.caFile} (installed for the Docker engine in /etc/docker/certs.d/${reg.address})`);
    if (values.info) ctx.log.info(`Registry info: ${path.resolve(values.info)}`);
    else if (reg.password) ctx.log.warn('without --info the generated password cannot be read; pass --info FILE or --no-auth');
    ctx.log.info('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await reg.stop();
    if (values.info) fs.rmSync(values.info, { force: true });
    ctx.log.info('Registry stopped.');
    return 0;
  },
};

export const registryCommands: Command[] = [registryStart];
