import { runTask } from '../../_common/src/run-task';
import { NotImplementedError } from '../../../shared/core/errors';
import { readInputs } from './inputs';

runTask(__dirname, async () => {
  readInputs();
  throw new NotImplementedError('IoTEdgeBuildModuleImages');
});
