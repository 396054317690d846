// meshkeeper/ui: Lit components bound to a client (and a mesh). Importing this module registers
// <mk-ensemble>, <mk-tree> and <mk-watch-log>; the controllers work with any Lit host.
export { MkEnsemble } from './mk-ensemble.js';
export { MkTree } from './mk-tree.js';
export { MkWatchLog } from './mk-watch-log.js';
export { ClientController } from './client-controller.js';
export type { SessionView } from './client-controller.js';
export { EnsembleController, DEFAULT_ENSEMBLE_INTERVAL_MS } from './ensemble-controller.js';
export type { EnsembleControllerOptions } from './ensemble-controller.js';
export { ensembleView, trackActivity, shortId, DEFAULT_ACTIVITY_GRACE_MS } from './ensemble-view.js';
export type { EnsembleSource, EnsembleStatus, EnsembleView, ReplicaView, ReplicaRoleView, PeerActivity } from './ensemble-view.js';
export { TreeController } from './tree-controller.js';
export type { SelectedZnode, TreeOutcome, TreeWatchKind, EditorBaseline, TreeControllerOptions } from './tree-controller.js';
export type { TreeRow } from './tree-rows.js';
export { WatchLogController } from './watch-log-controller.js';
export type { WatchLogEntry, WatchLogOptions } from './watch-log-controller.js';
export { baseStyles } from './theme.js';
