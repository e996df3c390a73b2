import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import forge from 'node-forge';
import { writeFileAtomic } from '../shared/core/atomic-write';

export interface TlsMaterial {
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];

function rsaKeyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; privatePem: string } {
  // Node's native generator (forge's pure-JS RSA takes seconds); forge only builds and signs the certs.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(privatePem),
    privatePem,
  };
}

function serial(): string {
  return '01' + crypto.randomBytes(8).toString('hex'); // positive, unique
}

function isIp(name: string): boolean {
  return /^[\d.]+$/.test(name) || name.includes(':');
}

function makeCert(opts: { subjectCn: string; publicKey: forge.pki.PublicKey; signKey: forge.pki.rsa.PrivateKey; issuer?: forge.pki.Certificate; ca: boolean; names?: string[]; years: number }): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + opts.years * 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: opts.subjectCn }, { name: 'organizationName', value: 'EdgeOps IoT Hub emulator' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : subject);
  const ext: object[] = opts.ca
    ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }]
    : [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: (opts.names ?? []).map((n) => (isIp(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
      ];
  cert.setExtensions(ext);
  cert.sign(opts.signKey, forge.md.sha256.create());
  return cert;
}

/** Leaf certificate covers these names; regenerated when a new name is asked for. */
function leafNames(certPem: string): string[] {
  const cert = forge.pki.certificateFromPem(certPem);
  const san = cert.getExtension('subjectAltName') as { altNames?: { value?: string; ip?: string }[] } | null;
  return (san?.altNames ?? []).map((a) => a.ip ?? a.value ?? '');
}

/**
 * A CA and a server certificate for the emulator, generated on first start and kept in `dir`
 * (`ca.pem` is what clients trust). Existing files are reused so a restart keeps the same CA.
 */
export function ensureTls(dir: string, extraNames: string[] = []): TlsMaterial {
  const names = [...new Set([...DEFAULT_NAMES, ...extraNames])];
  const f = (n: string) => path.join(dir, n);
  let caPem: string;
  let caKeyPem: string;
  if (fs.existsSync(f('ca.pem')) && fs.existsSync(f('ca-key.pem'))) {
    caPem = fs.readFileSync(f('ca.pem'), 'utf8');
    caKeyPem = fs.readFileSync(f('ca-key.pem'), 'utf8');
  } else {
    const keys = rsaKeyPair();
    const ca = makeCert({ subjectCn: 'EdgeOps IoT Hub emulator CA', publicKey: keys.publicKey, signKey: keys.privateKey, ca: true, years: 10 });
    caPem = forge.pki.certificateToPem(ca);
    caKeyPem = keys.privatePem;
    writeFileAtomic(f('ca-key.pem'), caKeyPem, { mode: 0o600 });
    writeFileAtomic(f('ca.pem'), caPem);
    fs.rmSync(f('server.pem'), { force: true });
  }
  if (fs.existsSync(f('server.pem')) && fs.existsSync(f('server-key.pem'))) {
    const certPem = fs.readFileSync(f('server.pem'), 'utf8');
    const have = leafNames(certPem);
    const notExpired = forge.pki.certificateFromPem(certPem).validity.notAfter.getTime() > Date.now() + 86400_000;
    if (notExpired && names.every((n) => have.includes(n))) {
      return { caFile: f('ca.pem'), caPem, certPem, keyPem: fs.readFileSync(f('server-key.pem'), 'utf8') };
    }
  }
  const ca = forge.pki.certificateFromPem(caPem);
  const leafKeys = rsaKeyPair();
  const leaf = makeCert({ subjectCn: names.find((n) => !isIp(n)) ?? 'localhost', publicKey: leafKeys.publicKey, signKey: forge.pki.privateKeyFromPem(caKeyPem), issuer: ca, ca: false, names, years: 2 });
  const certPem = forge.pki.certificateToPem(leaf);
  writeFileAtomic(f('server-key.pem'), leafKeys.privatePem, { mode: 0o600 });
  writeFileAtomic(f('server.pem'), certPem);
  return { caFile: f('ca.pem'), caPem, certPem, keyPem: leafKeys.privatePem };
}
