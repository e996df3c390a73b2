import { formatDuration, mdTable } from '../report/markdown';
import { BuildResults } from './build-results';

/** Run-summary markdown: one row per (module, platform). Cells are escaped by mdTable. */
export function buildSummaryMarkdown(r: BuildResults): string {
  const rows: unknown[][] = [
    ...r.images.map((i) => [i.module, i.platform, `\`${i.tag}\``, `${i.status}${i.reusedFrom ? ` (${i.reusedFrom})` : ''}`, formatDuration(i.durationMs)]),
    ...(r.failed ?? []).map((f) => [f.module, f.platform, `\`${f.tag}\``, `**failed**: ${f.error}`, '']),
  ];
  return ['### IoT Edge module images', '', `Builder: \`${r.builder}\``, '',
    mdTable(['Module', 'Platform', 'Tag', 'Result', 'Duration'], rows)].join('\n') + '\n';
}
