import { Command } from '../command';
import { hubCommands } from './hub';
import { modulesCommands } from './modules';
import { manifestCommands } from './manifest';
import { pipelineCommands } from './pipeline';
import { deployCommands } from './deploy';
import { devicesCommands } from './devices';
import { smokeCommands } from './smoke';
import { registryCommands } from './registry';

/**
 * Every `edgeops` subcommand. Each domain adds its commands here, one import line each.
 */
export const commands: Command[] = [
  ...hubCommands,
  ...modulesCommands,
  ...manifestCommands,
  ...pipelineCommands,
  ...deployCommands,
  ...devicesCommands,
  ...smokeCommands,
  ...registryCommands,
];
