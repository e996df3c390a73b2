/** The IoTEdgeSmokeTest core: promotion gate over a deployment's devices (also `edgeops smoke`). */
export * from './types';
export * from './image';
export * from './expected';
export * from './rows';
export * from './stability';
export * from './evaluate';
export * from './gate';
export * from './hub';
export * from './queries';
export * from './probes';
export * from './report';
export * from './run';
export * from './output';
export * from './telemetry';
