// meshkeeper/browser: join a room's mesh from a page (every tab a replica in its own worker).
export { connect, joinMesh, meshOf, DEFAULT_CONNECT_TIMEOUT_MS } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { BrowserMesh } from './browser-mesh.js';
export type { MeshOptions, BrowserMeshStatus } from './browser-mesh.js';
export type { MeshStatus } from '../mesh/mesh-node.js';
export { claimReplicaIdentity } from './replica-identity.js';
export type { ReplicaIdentity, ClaimIdentityOptions } from './replica-identity.js';
