/** Manifest media types we ask for: single-image manifests first, indexes too so nothing comes back as schema1. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
];
export const INDEX_TYPES = new Set([MANIFEST_TYPES[2], MANIFEST_TYPES[3]]);
