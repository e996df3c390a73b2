import { writeFileAtomic } from '../../../shared/core/atomic-write';
import * as tl from 'azure-pipelines-task-lib/task';
import { runTask, uploadSummary } from '../../_common/src/run-task';
import { taskLogger } from '../../_common/src/task-logger';
import { generateManifest, summaryMarkdown } from '../../../shared/manifest';
import { readInputs } from './inputs';

runTask(__dirname, async () => {
  const inputs = readInputs();
  const g = generateManifest({
    templatePath: inputs.templateFilePath,
    platform: inputs.platform,
    outputPath: inputs.outputPath,
    pushResultsPath: inputs.pushResultsPath,
    validate: inputs.validate,
    envFile: inputs.envFile,
    allowLiteralDollar: inputs.allowLiteralDollar,
    includeRegistryPasswords: inputs.includeRegistryPasswords,
    cwd: inputs.cwd,
    log: taskLogger,
  });
  tl.setVariable('DEPLOYMENT_FILE_PATH', g.outputPath);
  const md = g.summaryPath.replace(/\.json$/, '.md');
  writeFileAtomic(md, summaryMarkdown(g.summary));
  uploadSummary(md);
  const pinned = g.summary.modules.filter((m) => m.pinned).length;
  tl.setResult(tl.TaskResult.Succeeded,
    `Deployment manifest written to ${g.outputPath} (${g.summary.modules.length} modules, ${pinned} pinned)`);
});
