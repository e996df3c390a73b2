/** The build results file: what IoTEdgePushModuleImages and people read after a build. */
export interface BuiltImage {
  module: string;
  platform: string;
  tag: string;
  /** Local image id (sha256 of the config), or the registry's config digest when reused from there. */
  imageId: string;
  contentHash: string;
  status: 'built' | 'reused';
  /** Where a reused image was found. */
  reusedFrom?: 'local' | 'registry';
  durationMs: number;
}

export interface FailedImage { module: string; platform: string; tag: string; error: string }

export interface BuildResults {
  version: 1;
  builder: string;
  images: BuiltImage[];
  /** Present only when some image failed; `images` then lists what did succeed. */
  failed?: FailedImage[];
}
