import type { TreeCache } from '../../recipes/tree-cache.js';

/** One contender of a lock or election, in arrival order. */
export interface QueueEntry {
  readonly nodePath: string;
  /** Its node's data as text: the tab that made it. */
  readonly owner: string;
  /** First in line: holds the lock, or leads. */
  readonly first: boolean;
  /** This tab's own node (its data is this tab's name). */
  readonly mine: boolean;
}

const SEQUENCE = /(\d{10})$/;
const utf8 = new TextDecoder();

/** The children of `path` in a TreeCache that end with a sequence number, in sequence order. */
export function queueOf(cache: TreeCache, path: string, tabName: string): QueueEntry[] {
  const numbered: { name: string; sequence: number }[] = [];
  for (const name of cache.children(path)) {
    const match = SEQUENCE.exec(name);
    if (match !== null) numbered.push({ name, sequence: Number(match[1]) });
  }
  numbered.sort((a, b) => a.sequence - b.sequence);
  return numbered.map(({ name }, index) => {
    const nodePath = `${path}/${name}`;
    const node = cache.get(nodePath);
    const owner = node === undefined ? '' : utf8.decode(node.data);
    return { nodePath, owner, first: index === 0, mine: owner === tabName };
  });
}

/** Calls `changed` on every change a cache sees; returns what stops it. */
export function onCacheChange(cache: TreeCache, changed: () => void): () => void {
  const offs = [cache.on('created', changed), cache.on('changed', changed), cache.on('deleted', changed), cache.on('refreshed', changed), cache.on('initialized', changed)];
  return () => {
    for (const off of offs) off();
  };
}
