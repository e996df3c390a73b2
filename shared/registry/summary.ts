import { PushResultsFile } from './push';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function pushSummaryMarkdown(r: PushResultsFile): string {
  return [
    `### IoT Edge module images pushed to ${r.registry}`, '',
    '| Module | Platform | Image | Digest | Result |',
    '| --- | --- | --- | --- | --- |',
    ...r.images.map((i) => `| ${cell(i.module)} | ${i.platform} | \`${cell(i.tag)}\` | \`${i.digest ?? ''}\` | ${i.pushed ? 'pushed' : 'already present'} |`),
    ...(r.failed ?? []).map((f) => `| ${cell(f.module)} | ${f.platform} | \`${cell(f.tag)}\` | | **failed**: ${cell(f.error)} |`),
  ].join('\n') + '\n';
}
