import { Command } from '../command';
import { modulesCommands } from './modules';
import { manifestCommands } from './manifest';

/**
 * Every `edgeops` subcommand. Each domain adds its commands here, one import line each.
 */
export const commands: Command[] = [
  ...modulesCommands,
  ...manifestCommands,
];
