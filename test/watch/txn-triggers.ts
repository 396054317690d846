import { parentOf } from '../../src/tree/path.js';
import type { WatchTrigger } from '../../src/tree/watch-event.js';
import type { Delivery } from '../../src/watch/delivery.js';

/** The triggers applying a create yields: NodeCreated on the path, NodeChildrenChanged on the parent. */
export function created(path: string): WatchTrigger[] {
  return [
    { path, type: 'NodeCreated' },
    { path: parentOf(path), type: 'NodeChildrenChanged' },
  ];
}

/** The triggers applying a delete yields: NodeDeleted on the path, NodeChildrenChanged on the parent. */
export function deleted(path: string): WatchTrigger[] {
  return [
    { path, type: 'NodeDeleted' },
    { path: parentOf(path), type: 'NodeChildrenChanged' },
  ];
}

/** The trigger applying a setData yields. */
export function dataSet(path: string): WatchTrigger[] {
  return [{ path, type: 'NodeDataChanged' }];
}

/** Deliveries as compact strings, "watcher type path zxid", for readable expectations. */
export function show(deliveries: readonly Delivery[]): string[] {
  return deliveries.map((d) => `${d.watcher} ${d.event.type} ${d.event.path} ${d.event.zxid}`);
}
