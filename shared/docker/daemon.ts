import { CommandRunner } from '../core/exec';
import { ExternalError } from '../core/errors';

/** Docker daemon reachability, with an error that says how to start it. */
export async function ensureDaemon(runner: CommandRunner, docker: string): Promise<string> {
  const r = await runner.run(docker, ['version', '--format', '{{.Server.Version}}']);
  const server = r.stdout.trim();
  if (r.code === 0 && server) return server;
  const why = (r.stderr || r.stdout).split('\n').map((l) => l.trim()).filter(Boolean)[0] ?? `exit code ${r.code}`;
  if (/permission denied/i.test(why)) {
    throw new ExternalError('DockerDaemonPermission', `Cannot reach the Docker daemon: ${why}`, {
      hint: 'Add the agent user to the docker group (sudo usermod -aG docker $USER, then log in again) or run the agent as a user that can use /var/run/docker.sock.',
    });
  }
  throw new ExternalError('DockerDaemonNotRunning', `The Docker daemon is not running: ${why}`, {
    hint: 'Start it with `sudo systemctl start docker` (or `sudo service docker start`; without an init system: `sudo dockerd > /var/log/dockerd.log 2>&1 &`), then retry.',
  });
}
