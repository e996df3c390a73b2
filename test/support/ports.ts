export { freePort, waitForPort } from '../../shared/core/ports';
