import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import { toBytes, type Data } from '../client/requests.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import type { Stat } from '../tree/stat.js';
import { withWaitScope, type RecipeWaitOptions } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { checkNodeName, checkRecipePath, joinPath } from './paths.js';
import { randomId } from './random-id.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { deleteOwnNode, retrying } from './retry.js';
import { SessionWatch } from './session-watch.js';
import { TreeCache, type CachedNode } from './tree-cache.js';

/** One member of a group: its id (node name) and data. */
export interface Member {
  readonly id: string;
  readonly data: Uint8Array;
  readonly stat: Stat;
}

/** The events of a GroupMembership. */
export type GroupMembershipEvents = {
  /** A member (this one included) joined. */
  joined: [member: Member];
  /** A member's data changed. */
  changed: [member: Member, previous: Member];
  /** A member left (or its session ended). */
  left: [member: Member];
  /** This member's connection was lost: its presence is uncertain (others may see it gone). */
  uncertain: [];
  /** Reconnected with the same session; this member's node is there (made again if it was not). */
  reconnected: [];
  /** This member's session ended (or is presumed ended): others see it gone. */
  lost: [reason: KeeperError];
  /** A background step failed with something other than a connection loss. */
  error: [error: unknown];
};

/** A GroupMembership's options. */
export interface GroupMembershipOptions {
  /** This member's id: its node's name under the group path; a random id by default. */
  readonly id?: string;
  /** This member's data (e.g. its address or name); empty by default. */
  readonly data?: Data;
  /** The most members the view holds (the TreeCache's maxNodes less the group node); 10,000 by default. */
  readonly maxMembers?: number;
}

/** idle before join(), joining, joined, uncertain (disconnected), lost (session over), left. */
export type MembershipState = 'idle' | 'joining' | 'joined' | 'uncertain' | 'lost' | 'left';

function toMember(node: CachedNode): Member {
  return { id: node.path.slice(node.path.lastIndexOf('/') + 1), data: node.data, stat: node.stat };
}

/**
 * Presence in a group (Curator's GroupMember): each member is an ephemeral node `groupPath/<id>`
 * holding its data; everyone's view of the group is a TreeCache of the group's children, with joined,
 * changed and left events.
 *
 * ```ts
 * const group = new GroupMembership(zk, '/app/online', { id: 'tab-1', data: 'Alice' });
 * group.on('joined', (member) => show(member.id));
 * group.on('left', (member) => hide(member.id));
 * await group.join();
 * group.members();      // [{ id: 'tab-1', data, stat }, ...]
 * await group.leave();
 * ```
 *
 * Like Curator's PersistentNode, the member's node is made again if it vanished while the session
 * lives (deleted by someone, or a session presumed lost that survived).
 */
export class GroupMembership extends RecipeEmitter<GroupMembershipEvents> {
  readonly path: string;
  readonly id: string;
  private data: Uint8Array;
  private current: MembershipState = 'idle';
  private readonly cache: TreeCache;
  private readonly session: SessionWatch;

  constructor(
    readonly client: MeshKeeperClient,
    groupPath: string,
    options: GroupMembershipOptions = {},
  ) {
    super();
    this.path = checkRecipePath(groupPath, 'GroupMembership');
    this.id = checkNodeName(options.id ?? randomId(), 'GroupMembership: id');
    this.data = toBytes(options.data, this.path).slice();
    const maxMembers = options.maxMembers ?? 10_000;
    this.cache = new TreeCache(client, this.path, { maxDepth: 1, maxNodes: maxMembers + 1 });
    this.cache.on('created', (node) => node.path !== this.path && this.emit('joined', toMember(node)));
    this.cache.on('changed', (node, previous) => node.path !== this.path && this.emit('changed', toMember(node), toMember(previous)));
    this.cache.on('deleted', (node) => this.onDeleted(node));
    this.cache.on('error', (error) => this.emit('error', error));
    this.session = new SessionWatch(client, {
      suspended: () => this.onSuspended(),
      reconnected: () => this.onReconnected(),
      lost: (reason, final) => this.onLost(reason, final),
    });
  }

  get state(): MembershipState {
    return this.current;
  }

  /** This member's node path. */
  get nodePath(): string {
    return joinPath(this.path, this.id);
  }

  /** True while this member is in the group for sure (state joined). */
  isMember(): boolean {
    return this.current === 'joined';
  }

  /**
   * Joins: starts the view of the group, then creates this member's node. NODEEXISTS when another
   * session holds this id. Resolves once joined (this member is in `members()` by then).
   */
  async join(options?: RecipeWaitOptions): Promise<void> {
    if (this.current !== 'idle') throw new KeeperError('APIERROR', `the member is already ${this.current}`, this.nodePath);
    this.current = 'joining';
    this.session.start();
    try {
      await withWaitScope(options, `joining ${this.path}`, async (signal) => {
        await ensurePath(this.client, this.path, signal);
        await this.cache.start({ signal });
        await this.createOwn(signal);
      });
      await this.cache.settled();
      this.current = 'joined';
    } catch (error) {
      this.current = 'left';
      this.session.stop();
      await this.cache.close();
      if (!isKeeperError(error, 'NODEEXISTS')) await deleteOwnNode(this.client, this.nodePath).catch(() => undefined);
      throw error;
    }
  }

  /** Leaves: deletes this member's node and stops the view. Idempotent. */
  async leave(): Promise<void> {
    if (this.current === 'left' || this.current === 'idle') {
      this.current = 'left';
      return;
    }
    this.current = 'left';
    this.session.stop();
    await this.cache.close();
    await deleteOwnNode(this.client, this.nodePath);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.leave();
  }

  /** Changes this member's data (kept for when the node must be made again). */
  async setData(data: Data, options?: RecipeWaitOptions): Promise<void> {
    const bytes = toBytes(data, this.nodePath).slice();
    if (this.current !== 'joined' && this.current !== 'uncertain') throw new KeeperError('APIERROR', `the member is ${this.current}`, this.nodePath);
    this.data = bytes;
    await withWaitScope(options, `setting the data of ${this.nodePath}`, (signal) => retrying(this.client, () => this.client.setData(this.nodePath, bytes), signal));
  }

  /** The members as this member's view has them (sorted by id); empty before join(). */
  members(): Member[] {
    return this.cache.children(this.path).flatMap((name) => {
      const node = this.cache.get(joinPath(this.path, name));
      return node === undefined ? [] : [toMember(node)];
    });
  }

  /** The members read afresh from the ensemble (sorted by id). */
  async list(): Promise<Member[]> {
    let names: string[];
    try {
      names = await retrying(this.client, () => this.client.getChildren(this.path));
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) return [];
      throw error;
    }
    const reads = names.sort().map(async (id) => {
      try {
        const { data, stat } = await retrying(this.client, () => this.client.getData(joinPath(this.path, id)));
        return [{ id, data, stat }];
      } catch (error) {
        if (isKeeperError(error, 'NONODE')) return [];
        throw error;
      }
    });
    return (await Promise.all(reads)).flat();
  }

  /** Creates this member's node; NODEEXISTS from a create retried after a lost reply is ours (checked by owner). */
  private async createOwn(signal?: AbortSignal): Promise<void> {
    try {
      await retrying(this.client, () => this.client.create(this.nodePath, this.data, { mode: CreateMode.EPHEMERAL }), signal);
    } catch (error) {
      if (!isKeeperError(error, 'NODEEXISTS')) throw error;
      const stat = await retrying(this.client, () => this.client.exists(this.nodePath), signal);
      if (stat === null) return this.createOwn(signal);
      if (stat.ephemeralOwner !== this.client.sessionId) throw new KeeperError('NODEEXISTS', `another session is member "${this.id}"`, this.nodePath);
    }
  }

  private onDeleted(node: CachedNode): void {
    if (node.path === this.path) return;
    this.emit('left', toMember(node));
    // Our own node went while we are a member and the session lives: make it again (as PersistentNode).
    if (node.path === this.nodePath && this.current === 'joined' && !isTerminalState(this.client.state)) this.restore();
  }

  private onSuspended(): void {
    if (this.current !== 'joined') return;
    this.current = 'uncertain';
    this.emit('uncertain');
  }

  private onReconnected(): void {
    if (this.current !== 'uncertain' && this.current !== 'lost') return;
    this.restore(() => this.emit('reconnected'));
  }

  private onLost(reason: KeeperError, final: boolean): void {
    if (this.current !== 'joined' && this.current !== 'uncertain') return;
    this.current = 'lost';
    this.emit('lost', reason);
    if (final) void this.cache.close();
  }

  /** Makes sure our node exists (creating it again if need be), then counts as joined. */
  private restore(then?: () => void): void {
    this.createOwn().then(
      () => {
        if (this.current === 'left') return;
        this.current = 'joined';
        then?.();
      },
      (error: unknown) => {
        if (this.current !== 'left' && !isTerminalState(this.client.state)) this.emit('error', error);
      },
    );
  }
}
