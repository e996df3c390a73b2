import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { runTask, uploadSummary } from '../../_common/src/run-task';
import { taskLogger } from '../../_common/src/task-logger';
import { taskRunner } from '../../_common/src/task-runner';
import { writeFileAtomic } from '../../../shared/core/atomic-write';
import { AcrAuthProvider } from '../../../shared/auth/acr';
import { credentialFor } from '../../../shared/auth/azure-credential';
import { BasicAuthProvider } from '../../../shared/auth/generic';
import { RegistryAuthProvider, normalizeServer } from '../../../shared/auth/provider';
import { ModulePushError, PushResultsFile } from '../../../shared/registry/push';
import { pushSolution } from '../../../shared/registry/run-push';
import { pushSummaryMarkdown } from '../../../shared/registry/summary';
import { RegistryInput, readInputs } from './inputs';

function authProvider(r: RegistryInput): RegistryAuthProvider {
  if (r.kind === 'basic') {
    taskLogger.setSecret(r.password);
    return new BasicAuthProvider(r.server, r.username, r.password);
  }
  const tenantId = 'tenantId' in r.connection ? r.connection.tenantId : undefined;
  return new AcrAuthProvider({ loginServer: r.loginServer, credential: credentialFor(r.connection, taskLogger), tenantId, logger: taskLogger,
    kind: `Azure Container Registry (${r.connection.scheme})` });
}

runTask(__dirname, async () => {
  const inputs = readInputs();
  const auth = authProvider(inputs.registry);
  const publish = (r: PushResultsFile) => {
    const pushed = r.images.filter((i) => i.pushed).length;
    tl.setVariable('PUSH_RESULTS_PATH', inputs.resultsPath, false, true);
    tl.setVariable('IMAGES_PUSHED', String(pushed), false, true);
    tl.setVariable('IMAGES_SKIPPED', String(r.images.length - pushed), false, true);
    const md = path.join(inputs.tempDir, 'edgeops', `push-summary-${Date.now()}.md`);
    writeFileAtomic(md, pushSummaryMarkdown(r));
    uploadSummary(md);
    return pushed;
  };
  try {
    const results = await pushSolution({
      templatePath: inputs.templateFilePath, platforms: inputs.platforms, modules: inputs.modules, bypassModules: inputs.bypassModules,
      registry: normalizeServer(auth.server), auth, runner: taskRunner, logger: taskLogger,
      buildResultsPath: inputs.buildResultsPath, resultsPath: inputs.resultsPath,
      onImage: (done, total, img) => console.log(`##vso[task.setprogress value=${Math.round((done / total) * 100)};]${img.module} ${img.platform}`),
    });
    const pushed = publish(results);
    tl.setResult(tl.TaskResult.Succeeded, `${pushed} image(s) pushed, ${results.images.length - pushed} already in ${results.registry}`);
  } catch (e) {
    if (e instanceof ModulePushError) publish(e.results);
    throw e;
  }
});
