import { Command, parseOptions, requireOption } from '../command';
import { InputError } from '../../shared/core/errors';
import { generateManifest, ValidationMode } from '../../shared/manifest';

/** `edgeops manifest generate`: the IoTEdgeGenerateManifest engine from a shell. */
const generate: Command = {
  path: ['manifest', 'generate'],
  summary: 'Generate a deployment manifest from deployment.template.json (iotedgedev genconfig compatible)',
  usage: 'edgeops manifest generate --template <deployment.template.json> --platform <p> [--output <file>] [--output-dir <dir>] '
    + '[--env-file <file>] [--images <push-results.json>] [--validate error|warning|off] [--allow-literal-dollar] '
    + '[--include-registry-passwords] [--print]',
  async run(ctx) {
    const { values } = parseOptions(generate, ctx.argv, {
      template: { type: 'string' }, platform: { type: 'string' }, output: { type: 'string' }, 'output-dir': { type: 'string' },
      'env-file': { type: 'string' }, images: { type: 'string' }, validate: { type: 'string' },
      'allow-literal-dollar': { type: 'boolean' }, 'include-registry-passwords': { type: 'boolean' }, print: { type: 'boolean' },
    });
    const validate = (values.validate ?? 'error') as ValidationMode;
    if (!['error', 'warning', 'off'].includes(validate)) throw new InputError(`--validate must be error, warning or off, got "${values.validate}"`);
    const g = generateManifest({
      templatePath: requireOption(generate, values.template, 'template'),
      platform: requireOption(generate, values.platform, 'platform'),
      outputPath: values.output,
      outputDir: values['output-dir'],
      envFile: values['env-file'],
      pushResultsPath: values.images,
      validate,
      allowLiteralDollar: values['allow-literal-dollar'],
      includeRegistryPasswords: values['include-registry-passwords'],
      log: ctx.log,
    });
    const pinned = g.summary.modules.filter((m) => m.pinned).length;
    ctx.log.info(`Summary: ${g.summaryPath} (${g.summary.modules.length} modules${pinned ? `, ${pinned} pinned to digests` : ''})`);
    if (values.print) ctx.log.info(g.text);
    return 0;
  },
};

export const manifestCommands: Command[] = [generate];
