import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { runTask, uploadSummary } from '../../_common/src/run-task';
import { taskLogger } from '../../_common/src/task-logger';
import { taskRunner } from '../../_common/src/task-runner';
import { writeFileAtomic } from '../../../shared/core/atomic-write';
import { ModuleBuildError } from '../../../shared/docker/build';
import { BuildResults } from '../../../shared/docker/build-results';
import { buildSolution } from '../../../shared/docker/run-build';
import { buildSummaryMarkdown } from '../../../shared/docker/summary';
import { readInputs } from './inputs';

runTask(__dirname, async () => {
  const inputs = readInputs();
  const publish = (r: BuildResults) => {
    const built = r.images.filter((i) => i.status === 'built').length;
    tl.setVariable('BUILD_RESULTS_PATH', inputs.resultsPath, false, true);
    tl.setVariable('IMAGES_BUILT', String(built), false, true);
    tl.setVariable('IMAGES_REUSED', String(r.images.length - built), false, true);
    const md = path.join(inputs.tempDir, 'edgeops', `build-summary-${Date.now()}.md`);
    writeFileAtomic(md, buildSummaryMarkdown(r));
    uploadSummary(md);
    return built;
  };
  try {
    const { results } = await buildSolution({
      templatePath: inputs.templateFilePath, platforms: inputs.platforms, modules: inputs.modules, bypassModules: inputs.bypassModules,
      runner: taskRunner, logger: taskLogger, incremental: inputs.incremental, concurrency: inputs.concurrency,
      resultsPath: inputs.resultsPath, source: inputs.source, revision: inputs.revision,
      onImage: (done, total, img) => console.log(`##vso[task.setprogress value=${Math.round((done / total) * 100)};]${img.module} ${img.platform}`),
    });
    const built = publish(results);
    tl.setResult(tl.TaskResult.Succeeded, `${built} image(s) built, ${results.images.length - built} reused`);
  } catch (e) {
    if (e instanceof ModuleBuildError) publish(e.results);
    throw e;
  }
});
