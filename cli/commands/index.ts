import { Command } from '../command';

/**
 * Every `edgeops` subcommand. Each domain adds its commands here, one import line each.
 */
export const commands: Command[] = [
];
