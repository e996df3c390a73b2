import { mdTable } from '../report/markdown';

/** The machine-readable summary written beside a manifest (no secrets: passwords never appear). */
export interface ManifestSummary {
  version: 1;
  generator: string;
  template: string;
  manifest: string;
  platform: string;
  envFile?: string;
  layered: boolean;
  modules: SummaryModule[];
  registries: { name: string; address?: string; password: 'placeholder' | 'included' | 'literal-in-template' | 'none' }[];
  warnings: string[];
}

export interface SummaryModule {
  name: string;
  kind: 'user' | 'system';
  /** Final image reference in the manifest. */
  image: string;
  /** Module folder when the image is built from the solution. */
  moduleFolder?: string;
  /** module.json platform key used. */
  modulePlatform?: string;
  /** The tag before pinning. */
  tag?: string;
  digest?: string;
  pinned: boolean;
  bypassed: boolean;
}

export function summaryMarkdown(s: ManifestSummary): string {
  const rows = s.modules.map((m) => [m.name, m.kind, `\`${m.image}\``, m.pinned ? 'yes' : 'no']);
  return [
    `### IoT Edge deployment manifest (${s.platform})`,
    '',
    `Written to \`${s.manifest}\` from \`${s.template}\`.`,
    '',
    mdTable(['Module', 'Kind', 'Image', 'Pinned'], rows),
    ...(s.warnings.length ? ['', '**Warnings**', '', ...s.warnings.map((w) => `- ${w.replace(/\r?\n/g, ' ')}`)] : []),
    '',
  ].join('\n');
}
