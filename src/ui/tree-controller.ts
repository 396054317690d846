import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../client/client.js';
import type { WatchEvent } from '../client/watcher.js';
import { isKeeperError, KeeperError } from '../errors/keeper-error.js';
import type { CreateModeName } from '../tree/create-mode.js';
import type { Stat } from '../tree/stat.js';
import { BoundSource } from './bound-source.js';
import { SingleFlight } from './single-flight.js';
import { treeRows, type Listing, type TreeRow } from './tree-rows.js';
import { childPath, dataAsText, parentPath } from './znode-text.js';


/** The selected znode: its data and Stat, kept fresh by a watch. */
export interface SelectedZnode {
  readonly path: string;
  readonly data: Uint8Array;
  /** The data as UTF-8 text; null when it is binary. */
  readonly text: string | null;
  readonly stat: Stat;
}

/**
 * What the editor starts from: the selected znode's data and version when it was selected (or
 * reset, or saved). It does not follow later changes, so saving with this version after someone
 * else's write fails with BADVERSION, as a conditional write should.
 */
export interface EditorBaseline {
  readonly path: string;
  readonly text: string;
  readonly version: number;
  readonly binary: boolean;
  /** Changes whenever the baseline does: the element re-creates its inputs. */
  readonly revision: number;
}

/** What the last action did, for the user. */
export interface TreeOutcome {
  readonly ok: boolean;
  readonly action: string;
  readonly message: string;
  /** The KeeperError's code name when it failed with one. */
  readonly code: string | null;
}

/**
 * The watches a user can set from the tree, for the client's default watcher (so their events
 * reach `<mk-watch-log>`): one-shot data (getData), exists and children (getChildren) watches, and
 * persistent ones (addWatch).
 */
export type TreeWatchKind = 'data' | 'exists' | 'children' | 'persistent' | 'persistent-recursive';

export interface TreeControllerOptions {
  /** The most children listed under one znode (default 200, at most 10,000). */
  readonly maxChildren?: number;
}

export const DEFAULT_MAX_CHILDREN = 200;
export const MAX_CHILDREN_LIMIT = 10_000;


/**
 * Binds a host to the znode tree through a client: the expanded znodes' children and the selected
 * znode's data and Stat, kept fresh by one-shot watches of the controller's own (they never reach
 * the client's default watcher); creates, edits and deletes with versions; sets watches for the
 * user. Every action's result (or KeeperError) lands in `outcome`.
 */
export class TreeController implements ReactiveController {
  rows: readonly TreeRow[] = [];
  selected: SelectedZnode | null = null;
  outcome: TreeOutcome | null = null;
  editor: EditorBaseline | null = null;
  /** Actions and loads in flight. */
  get pending(): number {
    return this.actions + this.loads.size;
  }
  private readonly maxChildren: number;
  private readonly binding: BoundSource<MeshKeeperClient>;
  private readonly expanded = new Set<string>(['/']);
  private readonly listings = new Map<string, Listing>();
  private selectedPath: string | null = null;
  private editorRevision = 0;
  /** Bumped when the client changes: loads of an older client are dropped. */
  private generation = 0;
  private readonly loads = new SingleFlight();
  private actions = 0;
  /** The controller's own watcher: refreshes what it shows. */
  private readonly refresh = (event: WatchEvent) => this.changed(event);

  constructor(
    private readonly host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    options: TreeControllerOptions = {},
  ) {
    const maxChildren = options.maxChildren ?? DEFAULT_MAX_CHILDREN;
    if (!Number.isInteger(maxChildren) || maxChildren < 1 || maxChildren > MAX_CHILDREN_LIMIT) {
      throw new KeeperError('BADARGUMENTS', `a tree lists 1 to ${MAX_CHILDREN_LIMIT} children per znode, not ${maxChildren}`);
    }
    this.maxChildren = maxChildren;
    this.binding = new BoundSource(client, (bound) => this.attach(bound));
    host.addController(this);
  }

  get client(): MeshKeeperClient | undefined {
    return this.binding.value;
  }

  /** How many children `path` has beyond the ones listed (0 when all are). */
  hiddenChildren(path: string): number {
    const listing = this.listings.get(path);
    return listing === undefined ? 0 : listing.total - listing.children.length;
  }

  hostConnected(): void {
    this.binding.connect();
  }

  hostUpdate(): void {
    this.binding.sync();
  }

  hostDisconnected(): void {
    this.binding.disconnect();
  }

  // ---- browsing ----------------------------------------------------------------------------

  /** Expands a collapsed znode (listing its children) or collapses an expanded one. */
  toggle(path: string): Promise<void> {
    if (this.expanded.has(path)) {
      this.expanded.delete(path);
      this.rebuild();
      return Promise.resolve();
    }
    this.expanded.add(path);
    this.rebuild();
    return this.loadChildren(path);
  }

  /** Shows `path`'s data and Stat (and keeps them fresh). */
  select(path: string): Promise<void> {
    if (path !== this.selectedPath) {
      this.selected = null;
      this.editor = null;
    }
    this.selectedPath = path;
    this.rebuild();
    return this.loadSelected();
  }

  /** Starts the editor again from the selected znode's current data and version. */
  resetEditor(): void {
    this.editor = this.selected === null ? null : this.baseline(this.selected);
    this.host.requestUpdate();
  }

  /** Reads everything shown again. */
  async reload(): Promise<void> {
    await Promise.all([...[...this.expanded].map((path) => this.loadChildren(path)), this.loadSelected()]);
  }

  // ---- actions -----------------------------------------------------------------------------

  /** Creates `path` (for a sequential mode, the prefix); selects what was created. */
  create(path: string, data: string, mode: CreateModeName = 'PERSISTENT', ttlMs?: number): Promise<boolean> {
    return this.act('create', async (client) => {
      const created = await client.create(path, data, { mode, ...(ttlMs === undefined ? {} : { ttlMs }) });
      const parent = parentPath(created);
      this.expanded.add(parent);
      if (this.selectedPath !== created) {
        this.selected = null;
        this.editor = null;
      }
      this.selectedPath = created;
      await Promise.all([this.loadChildren(parent), this.loadSelected()]);
      return `created ${created}`;
    });
  }

  /** Sets `path`'s data if its version is `version` (-1: any). */
  setData(path: string, data: string, version: number): Promise<boolean> {
    return this.act('setData', async (client) => {
      const stat = await client.setData(path, data, version);
      if (this.selectedPath === path) {
        await this.loadSelected();
        this.resetEditor();
      }
      return `set ${path}: now version ${stat.version}`;
    });
  }

  /** Deletes `path` if its version is `version` (-1: any). */
  delete(path: string, version: number): Promise<boolean> {
    return this.act('delete', async (client) => {
      await client.delete(path, version);
      if (this.selectedPath === path) {
        this.selectedPath = null;
        this.selected = null;
        this.editor = null;
      }
      this.expanded.delete(path);
      this.listings.delete(path);
      await this.loadChildren(parentPath(path));
      return `deleted ${path}`;
    });
  }

  /** Sets a watch for the client's default watcher: its events go to the watch log. */
  watch(path: string, kind: TreeWatchKind): Promise<boolean> {
    return this.act('watch', async (client) => {
      switch (kind) {
        case 'data':
          await client.getData(path, { watch: true });
          break;
        case 'exists':
          await client.exists(path, { watch: true });
          break;
        case 'children':
          await client.getChildren(path, { watch: true });
          break;
        case 'persistent':
          await client.addWatch(path, 'PERSISTENT');
          break;
        case 'persistent-recursive':
          await client.addWatch(path, 'PERSISTENT_RECURSIVE');
          break;
      }
      return `${kind} watch set on ${path}`;
    });
  }

  /** Removes every watch of this client on `path` (then the tree sets its own again). */
  removeWatches(path: string): Promise<boolean> {
    return this.act('removeWatches', async (client) => {
      await client.removeAllWatches(path, 'Any');
      await this.reload();
      return `watches removed from ${path}`;
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  private attach(client: MeshKeeperClient): () => void {
    this.generation += 1;
    this.listings.clear();
    this.selected = null;
    this.editor = null;
    this.outcome = null;
    this.rebuild();
    void this.reload();
    // A session event (reconnected) re-reads everything: changes made while away showed up as
    // watch events only for the watches the client re-registered.
    const off = client.on('state', (state) => {
      if (state === 'CONNECTED') void this.reload();
    });
    return () => {
      off();
      this.generation += 1;
    };
  }

  private async act(action: string, run: (client: MeshKeeperClient) => Promise<string>): Promise<boolean> {
    const client = this.client;
    if (client === undefined) {
      this.outcome = { ok: false, action, message: 'no client', code: null };
      this.host.requestUpdate();
      return false;
    }
    this.actions += 1;
    this.host.requestUpdate();
    try {
      const message = await run(client);
      this.outcome = { ok: true, action, message, code: null };
      return true;
    } catch (error) {
      this.outcome = {
        ok: false,
        action,
        message: error instanceof Error ? error.message : String(error),
        code: isKeeperError(error) ? error.codeName : null,
      };
      return false;
    } finally {
      this.actions -= 1;
      this.rebuild();
    }
  }

  private changed(event: WatchEvent): void {
    const path = event.path;
    switch (event.type) {
      case 'NodeChildrenChanged':
        // An expanded znode lists its children again; a collapsed one shown as a row changes
        // its child count, which its parent's listing holds.
        if (this.expanded.has(path)) void this.loadChildren(path);
        else void this.loadChildren(parentPath(path));
        if (this.selectedPath === path) void this.loadSelected();
        return;
      case 'NodeDataChanged':
      case 'NodeCreated':
        if (this.selectedPath === path) void this.loadSelected();
        return;
      case 'NodeDeleted':
        if (this.selectedPath === path) void this.loadSelected();
        if (this.listings.has(path)) {
          this.listings.delete(path);
          this.rebuild();
        }
        void this.loadChildren(parentPath(path));
        return;
      default:
        return;
    }
  }

  private once(key: string, load: () => Promise<void>): Promise<void> {
    const done = this.loads.run(key, load, () => this.rebuild());
    this.host.requestUpdate();
    return done;
  }

  private loadChildren(path: string): Promise<void> {
    const client = this.client;
    if (client === undefined || !this.expanded.has(path)) return Promise.resolve();
    const generation = this.generation;
    return this.once(`children ${path}`, async () => {
      try {
        const names = (await client.getChildren(path, { watch: this.refresh })).sort();
        const shown = names.slice(0, this.maxChildren);
        // Each listed child's Stat, and a child watch on it: its expand arrow stays right.
        const stats = await Promise.all(
          shown.map((name) =>
            client
              .getChildren(childPath(path, name), { stat: true, watch: this.refresh })
              .then((listing) => listing.stat)
              .catch(() => null),
          ),
        );
        if (generation !== this.generation) return;
        const children = [];
        for (const [i, name] of shown.entries()) {
          const stat = stats[i];
          if (stat === null || stat === undefined) continue;
          children.push({ name, numChildren: stat.numChildren, ephemeral: stat.ephemeralOwner !== 0n });
        }
        this.listings.set(path, { children, total: names.length });
      } catch (error) {
        if (generation !== this.generation) return;
        if (isKeeperError(error, 'NONODE')) {
          this.listings.delete(path);
          if (path !== '/') this.expanded.delete(path);
          return;
        }
        this.outcome = { ok: false, action: 'getChildren', message: error instanceof Error ? error.message : String(error), code: isKeeperError(error) ? error.codeName : null };
      }
    });
  }

  private loadSelected(): Promise<void> {
    const client = this.client;
    const path = this.selectedPath;
    if (client === undefined || path === null) return Promise.resolve();
    const generation = this.generation;
    return this.once(`data ${path}`, async () => {
      try {
        const { data, stat } = await client.getData(path, { watch: this.refresh });
        if (generation !== this.generation || this.selectedPath !== path) return;
        this.selected = { path, data, text: dataAsText(data), stat };
        if (this.editor?.path !== path) this.editor = this.baseline(this.selected);
      } catch (error) {
        if (generation !== this.generation || this.selectedPath !== path) return;
        this.selected = null;
        if (isKeeperError(error, 'NONODE')) {
          this.outcome = { ok: false, action: 'getData', message: `${path} does not exist (any more)`, code: 'NONODE' };
          // Watch for it to come back.
          await client.exists(path, { watch: this.refresh }).catch(() => null);
          return;
        }
        this.outcome = { ok: false, action: 'getData', message: error instanceof Error ? error.message : String(error), code: isKeeperError(error) ? error.codeName : null };
      }
    });
  }

  private baseline(selected: SelectedZnode): EditorBaseline {
    this.editorRevision += 1;
    return { path: selected.path, text: selected.text ?? '', version: selected.stat.version, binary: selected.text === null, revision: this.editorRevision };
  }

  private rebuild(): void {
    this.rows = treeRows(this.expanded, this.listings, this.selectedPath);
    this.host.requestUpdate();
  }

}
