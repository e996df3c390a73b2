import { mdTable } from '../report/markdown';
import { PushResultsFile } from './push';

/** Run-summary markdown: one row per pushed (or already present, or failed) image. Cells are escaped by mdTable. */
export function pushSummaryMarkdown(r: PushResultsFile): string {
  const rows: unknown[][] = [
    ...r.images.map((i) => [i.module, i.platform, `\`${i.tag}\``, i.digest ? `\`${i.digest}\`` : '', i.pushed ? 'pushed' : 'already present']),
    ...(r.failed ?? []).map((f) => [f.module, f.platform, `\`${f.tag}\``, '', `**failed**: ${f.error}`]),
  ];
  return [`### IoT Edge module images pushed to ${r.registry}`, '',
    mdTable(['Module', 'Platform', 'Image', 'Digest', 'Result'], rows)].join('\n') + '\n';
}
