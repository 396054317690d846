/**
 * The longest freeze a page may ask of its replica (MeshNode.freeze, the worker's mk:freeze): a
 * demo's "freeze this tab" and failover drills. Kept apart so the page's bundle need not load the node.
 */
export const MAX_FREEZE_MS = 60_000;
