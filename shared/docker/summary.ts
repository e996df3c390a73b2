import { BuildResults } from './build-results';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Run-summary markdown: one row per (module, platform). */
export function buildSummaryMarkdown(r: BuildResults): string {
  const rows = [
    '### IoT Edge module images', '',
    `Builder: \`${r.builder}\``, '',
    '| Module | Platform | Tag | Result | Duration |',
    '| --- | --- | --- | --- | --- |',
    ...r.images.map((i) => `| ${cell(i.module)} | ${i.platform} | \`${cell(i.tag)}\` | ${i.status}${i.reusedFrom ? ` (${i.reusedFrom})` : ''} | ${(i.durationMs / 1000).toFixed(1)} s |`),
    ...(r.failed ?? []).map((f) => `| ${cell(f.module)} | ${f.platform} | \`${cell(f.tag)}\` | **failed**: ${cell(f.error)} | |`),
  ];
  return rows.join('\n') + '\n';
}
