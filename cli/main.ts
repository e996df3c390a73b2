import { ConsoleLogger } from '../shared/core/logger';
import { describeError, isUserError } from '../shared/core/errors';
import { productVersion } from '../shared/core/version';
import { Command } from './command';
import { commands } from './commands';

function helpText(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.path.join(' ').length), 10);
  return [
    'edgeops — build, push, generate, deploy and smoke-test Azure IoT Edge solutions, locally or in Azure Pipelines.',
    '',
    'Usage: edgeops <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help, -h     Show help (also after a command: edgeops <command> --help)',
    '  --version, -v  Show the version',
  ].join('\n');
}

function findCommand(argv: string[]): { cmd?: Command; rest: string[] } {
  // Longest path wins so `deploy rollback` is found before `deploy`.
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const cmd of sorted) {
    if (cmd.path.every((w, i) => argv[i] === w)) return { cmd, rest: argv.slice(cmd.path.length) };
  }
  return { rest: argv };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function main(argv: string[]): Promise<number> {
  const log = new ConsoleLogger({ verbose: !!process.env.EDGEOPS_VERBOSE });
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    log.info(helpText(commands));
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    log.info(productVersion());
    return 0;
  }
  const { cmd, rest } = findCommand(argv);
  if (!cmd) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0) {
      log.error(`unknown or missing subcommand for '${argv[0]}'`);
      log.info(helpText(group));
    } else {
      log.error(`unknown command '${argv[0]}'. Run 'edgeops --help' for the list.`);
    }
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    log.info(`${cmd.summary}\n\nUsage: ${cmd.usage}`);
    return 0;
  }
  try {
    return await cmd.run({ log, argv: rest, readStdin });
  } catch (err) {
    log.error(describeError(err));
    return isUserError(err) ? 1 : 70;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
