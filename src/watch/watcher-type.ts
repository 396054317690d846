import { KeeperError } from '../errors/keeper-error.js';

/**
 * ZooKeeper's `Watcher.WatcherType` (what removeWatches and checkWatches name), with its wire
 * numbers: Children 1, Data 2, Any 3, Persistent 4, PersistentRecursive 5.
 */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;

export type WatcherTypeName = keyof typeof WatcherType;
export type WatcherTypeNumber = (typeof WatcherType)[WatcherTypeName];

const namesByNumber = new Map<number, WatcherTypeName>(
  (Object.keys(WatcherType) as WatcherTypeName[]).map((name) => [WatcherType[name], name]),
);

/** The WatcherType a wire number names; BADARGUMENTS for any other number. */
export function watcherTypeFromNumber(value: number): WatcherTypeName {
  const name = namesByNumber.get(value);
  if (name === undefined) throw new KeeperError('BADARGUMENTS', `unknown watcher type ${value}`);
  return name;
}
