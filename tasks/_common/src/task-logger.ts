import * as tl from 'azure-pipelines-task-lib/task';
import { Logger } from '../../../shared/core/logger';

/** The core's Logger on top of task-lib: warnings/errors become timeline issues, secrets are masked by the agent. */
export const taskLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => tl.warning(m),
  error: (m) => tl.error(m),
  debug: (m) => tl.debug(m),
  setSecret: (v) => { if (v) tl.setSecret(v); },
};
