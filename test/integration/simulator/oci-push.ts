import * as crypto from 'crypto';

/**
 * Pushes a tiny image (a config blob with labels, no layers) straight through the OCI
 * distribution API of a plain-HTTP test registry: enough for the virtual simulator, which only
 * asks the registry whether an image exists and what labels it has.
 */
export async function pushConfigOnlyImage(registryUrl: string, repo: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] } }));
  const configDigest = 'sha256:' + crypto.createHash('sha256').update(config).digest('hex');
  const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, registryUrl);
  loc.searchParams.set('digest', configDigest);
  const put = await fetch(loc, { method: 'PUT', body: config, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest }, layers: [],
  });
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest') ?? '';
}
