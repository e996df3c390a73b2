import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { freePort, waitForPort } from '../../shared/core/ports';

/**
 * The local registry of the EdgeOps toolchain (and of the tests): a real OCI registry (Debian's
 * docker-registry, distribution v2) on a loopback port, optionally with htpasswd auth and TLS from a
 * throwaway CA that the Docker engine trusts through /etc/docker/certs.d/<host:port>/ca.crt.
 */
export interface TestRegistry {
  host: string;
  port: number;
  /** host:port, as used in image references and docker login. */
  address: string;
  /** https://host:port or http://host:port */
  url: string;
  username?: string;
  password?: string;
  /** CA that signed the server certificate (TLS only). */
  caFile?: string;
  caPem?: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  auth?: boolean;
  tls?: boolean;
  username?: string;
  password?: string;
  /** Fixed port; default a free one. */
  port?: number;
  /** Keep images here across restarts; default a temp folder removed on stop. */
  storageDir?: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Self-signed CA + server certificate for 127.0.0.1/localhost. */
export function makeTlsMaterial(dir: string): { caFile: string; certFile: string; keyFile: string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=EdgeOps Test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '3', '-extfile', 'ext.cnf'], dir);
  return { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key') };
}

/** Debian names it docker-registry; upstream builds name it registry. */
function registryBinary(): string {
  for (const name of ['docker-registry', 'registry']) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (dir && fs.existsSync(path.join(dir, name))) return name;
    }
  }
  throw new Error('docker-registry is not installed: run `bash scripts/setup.sh` (Debian package docker-registry)');
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-registry-'));
  const port = opts.port ?? await freePort();
  const host = '127.0.0.1';
  const address = `${host}:${port}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${opts.storageDir ? path.resolve(opts.storageDir) : path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
  ];
  let caFile: string | undefined;
  if (opts.tls) {
    const tls = makeTlsMaterial(dir);
    caFile = tls.caFile;
    lines.push('  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`);
    // The Docker engine trusts a registry's CA from this folder (no daemon restart needed).
    const certsD = path.join('/etc/docker/certs.d', address);
    try {
      fs.mkdirSync(certsD, { recursive: true });
      fs.copyFileSync(tls.caFile, path.join(certsD, 'ca.crt'));
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot install the registry CA for the Docker engine in ${certsD} (${(e as NodeJS.ErrnoException).code}); run as root or use --no-tls`);
    }
  }
  let username: string | undefined;
  let password: string | undefined;
  if (opts.auth) {
    username = opts.username ?? 'edgeops';
    password = opts.password ?? crypto.randomBytes(18).toString('base64url');
    // -i: password from stdin, -B: bcrypt (the only hash distribution accepts).
    execFileSync('htpasswd', ['-iBc', path.join(dir, 'htpasswd'), username], { input: password, stdio: ['pipe', 'ignore', 'pipe'] });
    lines.push('auth:', '  htpasswd:', '    realm: edgeops-test', `    path: ${path.join(dir, 'htpasswd')}`);
  }
  fs.writeFileSync(path.join(dir, 'config.yml'), lines.join('\n') + '\n');
  const child: ChildProcess = spawn(registryBinary(), ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`docker-registry did not start: ${stderr || (e as Error).message}`);
  }
  const scheme = opts.tls ? 'https' : 'http';
  return {
    host,
    port,
    address,
    url: `${scheme}://${address}`,
    username,
    password,
    caFile,
    caPem: caFile ? fs.readFileSync(caFile, 'utf8') : undefined,
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      if (opts.tls) fs.rmSync(path.join('/etc/docker/certs.d', address), { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
