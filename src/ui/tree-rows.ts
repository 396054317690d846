import { baseName, childPath } from './znode-text.js';

/** One visible row of the tree. */
export interface TreeRow {
  readonly path: string;
  readonly name: string;
  readonly depth: number;
  readonly expanded: boolean;
  /** From the znode's Stat when its parent was listed; null for the root. */
  readonly numChildren: number | null;
  readonly ephemeral: boolean;
  readonly selected: boolean;
}

/** An expanded znode's children as last read (at most maxChildren of them). */
export interface Listing {
  readonly children: readonly { readonly name: string; readonly numChildren: number; readonly ephemeral: boolean }[];
  /** How many children the znode has (more than listed when over maxChildren). */
  readonly total: number;
}

/** The visible rows, depth first from the root: an expanded znode's listed children follow it. Pure. */
export function treeRows(expanded: ReadonlySet<string>, listings: ReadonlyMap<string, Listing>, selectedPath: string | null): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (path: string, depth: number, numChildren: number | null, ephemeral: boolean): void => {
    const open = expanded.has(path);
    rows.push({ path, name: baseName(path), depth, expanded: open, numChildren, ephemeral, selected: path === selectedPath });
    if (!open) return;
    for (const child of listings.get(path)?.children ?? []) visit(childPath(path, child.name), depth + 1, child.numChildren, child.ephemeral);
  };
  visit('/', 0, null, false);
  return rows;
}
