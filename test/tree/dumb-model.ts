/**
 * A deliberately dumb model of a ZooKeeper server executing requests one at a time: a flat
 * Map<path, record>, children found by scanning every key, a multi run on a full copy of the map.
 * No pending changes, no indexes, no digest. The property test checks that the real prep + apply,
 * pipelined, answers exactly what this model answers when it runs the same requests in order.
 * It reuses only the leaf helpers that have their own tests (path rules, fixupAcl, isPermitted).
 */
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, fixupAcl, isPermitted, type Acl, type Id } from '../../src/tree/acl.js';
import { CreateMode, TTL_MAX_MS, type CreateModeFlag } from '../../src/tree/create-mode.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { MultiOp, ReadOp, WriteOp } from '../../src/tree/op.js';
import type { OpResult, ReadResult } from '../../src/tree/op-result.js';
import { validatePath, validateWritePath } from '../../src/tree/path.js';
import type { Stat } from '../../src/tree/stat.js';
import type { WatchTrigger } from '../../src/tree/watch-event.js';

interface Rec {
  data: Uint8Array;
  acl: readonly Acl[];
  mode: CreateModeFlag;
  ttlMs: number;
  owner: bigint;
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  creates: number;
  aversion: number;
}

class Fail {
  constructor(readonly code: number) {}
}

const TTL_MODES: number[] = [CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL];
const SEQ_MODES: number[] = [CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL];
const EPH_MODES: number[] = [CreateMode.EPHEMERAL, CreateMode.EPHEMERAL_SEQUENTIAL];

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

function pad(n: number): string {
  let s = String(Math.abs(n));
  while (s.length < (n < 0 ? 9 : 10)) s = `0${s}`;
  return n < 0 ? `-${s}` : s;
}

function bump(current: number, expected: number): number {
  if (expected !== -1 && expected !== current) throw new Fail(ErrorCode.BADVERSION);
  let next = current + 1;
  if (next > 2147483647) next -= 4294967296;
  return next === -1 ? 0 : next;
}

function guard(check: () => void, code: number): void {
  try {
    check();
  } catch (error) {
    if (isKeeperError(error)) throw new Fail(code);
    throw error;
  }
}

function sysNode(acl: readonly Acl[], aversion = 0): Rec {
  return {
    data: new Uint8Array(0), acl, mode: 0, ttlMs: 0, owner: 0n, czxid: 0n, mzxid: 0n, pzxid: 0n,
    ctime: 0, mtime: 0, version: 0, creates: 0, aversion,
  };
}

export interface ModelOutcome {
  result: OpResult;
  triggers: WatchTrigger[];
}

export class DumbModel {
  nodes = new Map<string, Rec>([
    ['/', sysNode(OPEN_ACL_UNSAFE)],
    ['/zookeeper', sysNode(OPEN_ACL_UNSAFE)],
    ['/zookeeper/quota', sysNode(OPEN_ACL_UNSAFE)],
    ['/zookeeper/config', sysNode(READ_ACL_UNSAFE, -1)],
  ]);

  children(path: string): string[] {
    const names: string[] = [];
    for (const key of this.nodes.keys()) if (key !== '/' && parent(key) === path) names.push(key.slice(key.lastIndexOf('/') + 1));
    return names.sort();
  }

  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  stat(path: string): Stat {
    const n = this.nodes.get(path) as Rec;
    const numChildren = this.children(path).length;
    let cversion = n.creates * 2 - numChildren;
    cversion = ((cversion % 4294967296) + 4294967296 * 2) % 4294967296;
    if (cversion > 2147483647) cversion -= 4294967296;
    return {
      czxid: n.czxid, mzxid: n.mzxid, ctime: n.ctime, mtime: n.mtime, version: n.version, cversion,
      aversion: n.aversion, ephemeralOwner: EPH_MODES.includes(n.mode) ? n.owner : 0n,
      dataLength: n.data.length, numChildren, pzxid: n.pzxid,
    };
  }

  data(path: string): Uint8Array | undefined {
    return this.nodes.get(path)?.data;
  }

  acl(path: string): readonly Acl[] | undefined {
    return this.nodes.get(path)?.acl;
  }

  private need(path: string): Rec {
    const n = this.nodes.get(path);
    if (n === undefined) throw new Fail(ErrorCode.NONODE);
    return n;
  }

  private permit(n: Rec, perm: number, ids: readonly Id[]): void {
    if (!isPermitted(n.acl, perm, ids)) throw new Fail(ErrorCode.NOAUTH);
  }

  private remove(path: string, zxid: bigint, triggers: WatchTrigger[]): void {
    this.nodes.delete(path);
    (this.nodes.get(parent(path)) as Rec).pzxid = zxid;
    triggers.push({ path, type: 'NodeDeleted' }, { path: parent(path), type: 'NodeChildrenChanged' });
  }

  private one(op: WriteOp, session: bigint, ids: readonly Id[], zxid: bigint, time: number, triggers: WatchTrigger[]): OpResult {
    switch (op.type) {
      case 'create': {
        if (![0, 1, 2, 3, 4, 5, 6].includes(op.mode)) throw new Fail(ErrorCode.BADARGUMENTS);
        if (TTL_MODES.includes(op.mode)) {
          if (!Number.isInteger(op.ttlMs) || op.ttlMs <= 0 || op.ttlMs > TTL_MAX_MS) throw new Fail(ErrorCode.BADARGUMENTS);
        } else if (op.ttlMs !== 0) throw new Fail(ErrorCode.BADARGUMENTS);
        guard(() => validateWritePath(op.path, SEQ_MODES.includes(op.mode)), ErrorCode.BADARGUMENTS);
        if (op.data.length > 1_048_575) throw new Fail(ErrorCode.BADARGUMENTS);
        const ephemeral = EPH_MODES.includes(op.mode);
        if (ephemeral && session === 0n) throw new Fail(ErrorCode.BADARGUMENTS);
        let acl: Acl[] = [];
        guard(() => {
          acl = fixupAcl(op.acl, ids);
        }, ErrorCode.INVALIDACL);
        const parentPath = parent(op.path.endsWith('/') && op.path.length > 1 ? `${op.path}x` : op.path);
        const p = this.need(parentPath);
        this.permit(p, Perms.CREATE, ids);
        const path = SEQ_MODES.includes(op.mode) ? op.path + pad(p.creates) : op.path;
        if (this.nodes.has(path)) throw new Fail(ErrorCode.NODEEXISTS);
        if (EPH_MODES.includes(p.mode)) throw new Fail(ErrorCode.NOCHILDRENFOREPHEMERALS);
        p.creates = p.creates === 2147483647 ? -2147483648 : p.creates + 1;
        p.pzxid = zxid;
        this.nodes.set(path, {
          data: op.data, acl, mode: op.mode, ttlMs: op.ttlMs, owner: ephemeral ? session : 0n, czxid: zxid, mzxid: zxid,
          pzxid: zxid, ctime: time, mtime: time, version: 0, creates: 0, aversion: 0,
        });
        triggers.push({ path, type: 'NodeCreated' }, { path: parentPath, type: 'NodeChildrenChanged' });
        return { type: 'create', path, stat: this.stat(path) };
      }
      case 'delete': {
        guard(() => validateWritePath(op.path), ErrorCode.BADARGUMENTS);
        this.permit(this.need(parent(op.path)), Perms.DELETE, ids);
        const n = this.need(op.path);
        bump(n.version, op.version);
        if (op.path === '/' || this.children(op.path).length > 0) throw new Fail(ErrorCode.NOTEMPTY);
        this.remove(op.path, zxid, triggers);
        return { type: 'delete' };
      }
      case 'setData': {
        guard(() => validateWritePath(op.path), ErrorCode.BADARGUMENTS);
        if (op.data.length > 1_048_575) throw new Fail(ErrorCode.BADARGUMENTS);
        const n = this.need(op.path);
        this.permit(n, Perms.WRITE, ids);
        n.version = bump(n.version, op.version);
        n.data = op.data;
        n.mzxid = zxid;
        n.mtime = time;
        triggers.push({ path: op.path, type: 'NodeDataChanged' });
        return { type: 'setData', stat: this.stat(op.path) };
      }
      case 'setACL': {
        guard(() => validateWritePath(op.path), ErrorCode.BADARGUMENTS);
        let acl: Acl[] = [];
        guard(() => {
          acl = fixupAcl(op.acl, ids);
        }, ErrorCode.INVALIDACL);
        const n = this.need(op.path);
        this.permit(n, Perms.ADMIN, ids);
        n.aversion = bump(n.aversion, op.version);
        n.acl = acl;
        return { type: 'setACL', stat: this.stat(op.path) };
      }
      case 'check': {
        guard(() => validatePath(op.path), ErrorCode.BADARGUMENTS);
        const n = this.need(op.path);
        this.permit(n, Perms.READ, ids);
        bump(n.version, op.version);
        return { type: 'check' };
      }
      case 'multi':
        throw new Fail(ErrorCode.BADARGUMENTS);
    }
  }

  private copyNodes(): Map<string, Rec> {
    return new Map([...this.nodes].map(([path, rec]) => [path, { ...rec }]));
  }

  /** Runs one write request to completion, as a server with nothing else in flight would. */
  write(op: WriteOp, session: bigint, ids: readonly Id[], zxid: bigint, time: number): ModelOutcome {
    const triggers: WatchTrigger[] = [];
    if (op.type !== 'multi') {
      try {
        return { result: this.one(op, session, ids, zxid, time, triggers), triggers };
      } catch (error) {
        if (error instanceof Fail) return { result: { type: 'error', code: error.code as 0 }, triggers: [] };
        throw error;
      }
    }
    // A multi carrying more than a request may hold (jute.maxbuffer) fails as a whole.
    let total = 0;
    for (const sub of op.ops) if ('data' in sub) total += sub.data.length;
    if (total > 1_048_575) return { result: { type: 'error', code: ErrorCode.BADARGUMENTS }, triggers: [] };
    const saved = this.copyNodes();
    const results: OpResult[] = [];
    for (let i = 0; i < op.ops.length; i++) {
      try {
        results.push(this.one(op.ops[i] as MultiOp, session, ids, zxid, time, triggers));
      } catch (error) {
        if (!(error instanceof Fail)) throw error;
        this.nodes = saved;
        const code = (j: number) => (j < i ? 0 : j === i ? error.code : ErrorCode.RUNTIMEINCONSISTENCY);
        return { result: { type: 'multi', results: op.ops.map((_, j) => ({ type: 'error', code: code(j) as 0 })) }, triggers: [] };
      }
    }
    return { result: { type: 'multi', results }, triggers };
  }

  closeSession(session: bigint, zxid: bigint): ModelOutcome {
    const triggers: WatchTrigger[] = [];
    const mine = this.paths().filter((p) => {
      const n = this.nodes.get(p) as Rec;
      return EPH_MODES.includes(n.mode) && n.owner === session;
    });
    for (const path of mine) this.remove(path, zxid, triggers);
    return { result: { type: 'closeSession' }, triggers };
  }

  isDue(path: string, now: number, graceMs = 300_000): boolean {
    const n = this.nodes.get(path);
    if (n === undefined || this.children(path).length > 0) return false;
    if (n.mode === CreateMode.CONTAINER) return n.creates !== 0 || now - n.mtime > graceMs;
    if (TTL_MODES.includes(n.mode)) return now - n.mtime > n.ttlMs;
    return false;
  }

  due(now: number): string[] {
    return this.paths().filter((p) => this.isDue(p, now));
  }

  deleteContainer(path: string, zxid: bigint, time: number): ModelOutcome {
    const n = this.nodes.get(path);
    if (n === undefined) return { result: { type: 'error', code: ErrorCode.NONODE }, triggers: [] };
    if (this.children(path).length > 0) return { result: { type: 'error', code: ErrorCode.NOTEMPTY }, triggers: [] };
    if (!this.isDue(path, time)) return { result: { type: 'error', code: ErrorCode.BADVERSION }, triggers: [] };
    const triggers: WatchTrigger[] = [];
    this.remove(path, zxid, triggers);
    return { result: { type: 'deleteContainer' }, triggers };
  }

  read(op: ReadOp, session: bigint, ids: readonly Id[]): ReadResult {
    const fail = (code: number): ReadResult => ({ type: 'error', code: code as 0 });
    if (op.type === 'getEphemerals') {
      try {
        validatePath(op.prefix);
      } catch {
        return fail(ErrorCode.BADARGUMENTS);
      }
      const paths = this.paths().filter((p) => {
        const n = this.nodes.get(p) as Rec;
        return EPH_MODES.includes(n.mode) && n.owner === session && (op.prefix === '/' || p.startsWith(op.prefix));
      });
      return { type: 'getEphemerals', paths };
    }
    const n = this.nodes.get(op.path);
    if (n === undefined) {
      try {
        validatePath(op.path);
      } catch {
        return fail(ErrorCode.BADARGUMENTS);
      }
      return op.type === 'exists' ? { type: 'exists', stat: null } : fail(ErrorCode.NONODE);
    }
    if (op.type === 'getACL') {
      const admin = isPermitted(n.acl, Perms.ADMIN, ids);
      if (!admin && !isPermitted(n.acl, Perms.READ, ids)) return fail(ErrorCode.NOAUTH);
      const acl = admin
        ? n.acl
        : n.acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: `${a.id.id.split(':')[0]}:x` } } : a));
      return { type: 'getACL', acl, stat: this.stat(op.path) };
    }
    if (!isPermitted(n.acl, Perms.READ, ids)) return fail(ErrorCode.NOAUTH);
    switch (op.type) {
      case 'exists':
        return { type: 'exists', stat: this.stat(op.path) };
      case 'getData':
        return { type: 'getData', data: n.data, stat: this.stat(op.path) };
      case 'getChildren':
        return { type: 'getChildren', children: this.children(op.path), stat: this.stat(op.path) };
      case 'getAllChildrenNumber': {
        const prefix = op.path === '/' ? '/' : `${op.path}/`;
        return { type: 'getAllChildrenNumber', count: [...this.nodes.keys()].filter((k) => k !== '/' && k.startsWith(prefix)).length };
      }
    }
  }
}
