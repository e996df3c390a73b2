/** Safe, idempotent IoT Hub deployments: the library behind IoTEdgeDeploy, `edgeops deploy` and the smoke test's rollback. */
export * from './hub';
export * from './id';
export * from './manifest';
export * from './target';
export * from './diff';
export * from './effective';
export * from './preview';
export * from './series';
export * from './retention';
export * from './deploy';
export * from './rollback';
export * from './summary';
export * from './run';
