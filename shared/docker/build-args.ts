import { BuilderKind } from './cli-detect';
import { labelArgs } from './labels';

/** Pure builder for the `docker build` command line of one image (no I/O, unit-tested per builder). */
export interface BuildCommandInput {
  builder: BuilderKind;
  dockerPlatform: string;
  tag: string;
  dockerfile: string;
  contextPath: string;
  labels: Record<string, string>;
  /** Parsed, validated buildOptions. */
  options: string[];
  iidFile: string;
}

export interface BuildCommand { args: string[]; env: Record<string, string> }

export function buildCommand(i: BuildCommandInput): BuildCommand {
  const common = ['--platform', i.dockerPlatform, '-f', i.dockerfile, '-t', i.tag, '--iidfile', i.iidFile, ...labelArgs(i.labels), ...i.options];
  switch (i.builder) {
    case 'buildx':
      // --load: the default docker-container driver keeps results in its cache otherwise.
      return { args: ['buildx', 'build', '--load', '--progress', 'plain', ...common, i.contextPath], env: {} };
    case 'buildkit':
      return { args: ['build', '--progress', 'plain', ...common, i.contextPath], env: { DOCKER_BUILDKIT: '1' } };
    case 'classic':
      return { args: ['build', ...common, i.contextPath], env: { DOCKER_BUILDKIT: '0' } };
  }
}
