import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { describeError } from '../../../shared/core/errors';

/**
 * Wraps a task's main: any error ends the task as Failed with a readable message.
 * User mistakes (EdgeOpsError.userError, missing inputs) never print a stack trace.
 */
export function runTask(taskDir: string, main: () => Promise<void>): void {
  // task.json sits beside the bundled index.js; its messages (if any) come from there.
  const taskJson = path.join(taskDir, 'task.json');
  try { tl.setResourcePath(taskJson, true); } catch { /* tests run from tsc output without task.json */ }
  main().then(
    () => { /* main sets its own result */ },
    (err: unknown) => {
      tl.setResult(tl.TaskResult.Failed, firstLineForRequiredInput(err) ?? describeError(err));
      // The agent reads task.complete; a non-zero exit also tells plain `node index.js` callers.
      process.exitCode = 1;
    },
  );
}

/** task-lib throws a plain Error for a missing required input; keep only its message. */
function firstLineForRequiredInput(err: unknown): string | undefined {
  if (err instanceof Error && /^Input required: /.test(err.message)) return err.message;
  if (err instanceof Error && /^(Endpoint|Unable to locate executable file)/i.test(err.message)) return err.message;
  return undefined;
}

/** Writes markdown to a file and attaches it to the run summary tab. */
export function uploadSummary(file: string): void {
  tl.uploadSummary(file);
}
