/** `meshkeeper/testing`: an in-process ensemble of real replicas for testing applications. */
export { createTestEnsemble, TestEnsemble, type ConnectOptions, type ReplicaRef, type TestEnsembleOptions } from './test-ensemble.js';
export { TimedMemoryStorage } from './timed-memory-storage.js';
export { createConnectionPair, type ClientConnectionEnd } from '../replica/client-connection.js';
export type { ReplicaStatus } from '../server/replica-status.js';
