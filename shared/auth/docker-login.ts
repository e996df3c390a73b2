import { CommandRunner } from '../core/exec';
import { Logger } from '../core/logger';
import { RegistryAuthError } from '../registry/errors';
import { RegistryLogin } from './provider';

/** `docker login --password-stdin`: the password is never an argument, an env var or a file of ours. */
export async function dockerLogin(runner: CommandRunner, docker: string, login: RegistryLogin, logger: Logger): Promise<void> {
  logger.setSecret(login.password);
  const r = await runner.run(docker, ['login', '--username', login.username, '--password-stdin', login.server], { stdin: login.password });
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `exit code ${r.code}`;
    if (/unauthorized|authentication|denied|401|incorrect/i.test(why)) throw new RegistryAuthError(login.server);
    throw new RegistryAuthError(login.server, why.split(login.password).join('***'));
  }
}

/** Logs out of exactly the server we logged in to (never a blanket logout). */
export async function dockerLogout(runner: CommandRunner, docker: string, server: string, logger: Logger): Promise<void> {
  const r = await runner.run(docker, ['logout', server]);
  if (r.code !== 0) logger.warn(`docker logout ${server} failed: ${(r.stderr || r.stdout).trim()}`);
}
