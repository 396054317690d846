import { OPEN_ACL_UNSAFE } from '../../../src/tree/acl.js';
import { CreateMode, isSequential, type CreateModeFlag } from '../../../src/tree/create-mode.js';
import type { MultiOp } from '../../../src/tree/op.js';
import type { Prng } from '../../../src/util/prng.js';
import type { RequestBody, ServerReply } from '../../../src/wire/client-message.js';
import { EPHEMERAL_PARENT } from './replica-probe.js';

/** Persistent paths the linearizability check covers (a parent and its child, for NONODE/NOTEMPTY). */
export const LINEARIZABLE_PATHS = ['/k0', '/k1', '/k2', '/k0/c'] as const;
export const EPHEMERAL_PATHS = [`${EPHEMERAL_PARENT}/a`, `${EPHEMERAL_PARENT}/b`] as const;
export const EPHEMERAL_SEQUENTIAL_PREFIX = `${EPHEMERAL_PARENT}/l-`;
export const SEQUENTIAL_PARENT = '/q';
export const SEQUENTIAL_PREFIX = `${SEQUENTIAL_PARENT}/s-`;

/** One request as a client means it (what it records and checks depend on it). */
export type WorkOp =
  | { readonly kind: 'create'; readonly path: string; readonly data: string; readonly mode: CreateModeFlag }
  | { readonly kind: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'getData'; readonly path: string; readonly watch: boolean }
  | { readonly kind: 'exists'; readonly path: string; readonly watch: boolean }
  | { readonly kind: 'getChildren'; readonly path: string; readonly watch: boolean }
  /** sync(path), then getData(path) once it is answered: one linearizable read. */
  | { readonly kind: 'sync'; readonly path: string }
  | { readonly kind: 'syncRead'; readonly path: string; readonly syncCallTime: number }
  | { readonly kind: 'multi'; readonly ops: readonly MultiOp[] }
  | { readonly kind: 'ping' }
  | { readonly kind: 'setWatches'; readonly relativeZxid: bigint; readonly lists: { dataWatches: string[]; existWatches: string[]; childWatches: string[] } }
  | { readonly kind: 'closeSession' };

/** What the workload knows of the session drawing an operation. */
export interface WorkContext {
  /** Data values are unique per write: the checker tells writes apart by them. */
  nextData(): string;
  /** The last version this session saw per path. */
  readonly versions: ReadonlyMap<string, number>;
  /** The sequential nodes (ephemeral or not) this session created: unique names only their owner deletes. */
  readonly ownNodes: readonly string[];
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.nextInt(items.length)]!;
}

function drawVersion(prng: Prng, context: WorkContext, path: string): number {
  const roll = prng.nextFloat();
  if (roll < 0.5) return -1;
  if (roll < 0.85) return context.versions.get(path) ?? 0;
  return prng.nextInt(4);
}

function drawMultiOp(prng: Prng, context: WorkContext, path: string): MultiOp {
  switch (prng.nextInt(4)) {
    case 0:
      return { type: 'create', path, data: bytes(context.nextData()), acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT, ttlMs: 0 };
    case 1:
      return { type: 'setData', path, data: bytes(context.nextData()), version: drawVersion(prng, context, path) };
    case 2:
      return { type: 'delete', path, version: drawVersion(prng, context, path) };
    default:
      return { type: 'check', path, version: drawVersion(prng, context, path) };
  }
}

/** Draws the next operation of a session's random workload. */
export function drawOp(prng: Prng, context: WorkContext): WorkOp {
  const lin = pick(prng, LINEARIZABLE_PATHS);
  const roll = prng.nextInt(100);
  if (roll < 14) return { kind: 'create', path: lin, data: context.nextData(), mode: CreateMode.PERSISTENT };
  if (roll < 28) return { kind: 'setData', path: lin, data: context.nextData(), version: drawVersion(prng, context, lin) };
  if (roll < 35) return { kind: 'delete', path: lin, version: drawVersion(prng, context, lin) };
  if (roll < 47) return { kind: 'getData', path: lin, watch: prng.chance(0.4) };
  if (roll < 57) return { kind: 'sync', path: lin };
  if (roll < 63) return { kind: 'exists', path: prng.chance(0.5) ? lin : pick(prng, EPHEMERAL_PATHS), watch: prng.chance(0.6) };
  if (roll < 68) return { kind: 'getChildren', path: pick(prng, ['/', '/k0', EPHEMERAL_PARENT, SEQUENTIAL_PARENT]), watch: prng.chance(0.5) };
  if (roll < 76) return { kind: 'create', path: pick(prng, EPHEMERAL_PATHS), data: context.nextData(), mode: CreateMode.EPHEMERAL };
  if (roll < 80) return { kind: 'create', path: EPHEMERAL_SEQUENTIAL_PREFIX, data: context.nextData(), mode: CreateMode.EPHEMERAL_SEQUENTIAL };
  if (roll < 85) return { kind: 'create', path: SEQUENTIAL_PREFIX, data: context.nextData(), mode: CreateMode.PERSISTENT_SEQUENTIAL };
  if (roll < 89) {
    if (context.ownNodes.length === 0) return { kind: 'getData', path: pick(prng, EPHEMERAL_PATHS), watch: prng.chance(0.5) };
    return { kind: 'delete', path: pick(prng, context.ownNodes), version: -1 };
  }
  if (roll < 94) {
    const count = prng.nextIntBetween(1, 3);
    const chosen: string[] = [];
    while (chosen.length < count) {
      const path = pick(prng, LINEARIZABLE_PATHS);
      if (!chosen.includes(path)) chosen.push(path);
    }
    return { kind: 'multi', ops: chosen.map((path) => drawMultiOp(prng, context, path)) };
  }
  if (roll < 97) return { kind: 'create', path: pick(prng, [EPHEMERAL_PARENT, SEQUENTIAL_PARENT]), data: '', mode: CreateMode.PERSISTENT };
  return { kind: 'getData', path: pick(prng, EPHEMERAL_PATHS), watch: prng.chance(0.6) };
}

/** The request body of an operation. */
export function requestBody(op: WorkOp): RequestBody {
  switch (op.kind) {
    case 'create':
      return { type: 'create', path: op.path, data: bytes(op.data), acl: OPEN_ACL_UNSAFE, mode: op.mode, ttlMs: 0 };
    case 'setData':
      return { type: 'setData', path: op.path, data: bytes(op.data), version: op.version };
    case 'delete':
      return { type: 'delete', path: op.path, version: op.version };
    case 'getData':
    case 'exists':
    case 'getChildren':
      return { type: op.kind, path: op.path, watch: op.watch };
    case 'sync':
      return { type: 'sync', path: op.path };
    case 'syncRead':
      return { type: 'getData', path: op.path, watch: false };
    case 'multi':
      return { type: 'multi', ops: op.ops };
    case 'ping':
      return { type: 'ping' };
    case 'setWatches':
      return { type: 'setWatches', relativeZxid: op.relativeZxid, ...op.lists, persistentWatches: [], persistentRecursiveWatches: [] };
    case 'closeSession':
      return { type: 'closeSession' };
  }
}

export function isLinearizablePath(path: string): boolean {
  return (LINEARIZABLE_PATHS as readonly string[]).includes(path);
}

export function createsSequential(op: WorkOp): boolean {
  return op.kind === 'create' && isSequential(op.mode);
}

/** Operations that become txns (their outcome is unknown when their reply never comes). */
export function isWrite(op: WorkOp): boolean {
  return op.kind === 'create' || op.kind === 'setData' || op.kind === 'delete' || op.kind === 'multi' || op.kind === 'closeSession';
}

/** Operations whose success counts as the client's progress (not pings or watch bookkeeping). */
export function isWork(op: WorkOp): boolean {
  return op.kind !== 'ping' && op.kind !== 'setWatches' && op.kind !== 'sync';
}

/** A short text of an operation, for traces. */
export function describeOp(op: WorkOp): string {
  switch (op.kind) {
    case 'create':
      return `create ${op.path} mode ${op.mode} ${JSON.stringify(op.data)}`;
    case 'setData':
      return `setData ${op.path} ${JSON.stringify(op.data)} v${op.version}`;
    case 'delete':
      return `delete ${op.path} v${op.version}`;
    case 'getData':
    case 'exists':
    case 'getChildren':
      return `${op.kind} ${op.path}${op.watch ? ' watch' : ''}`;
    case 'sync':
    case 'syncRead':
      return `${op.kind} ${op.path}`;
    case 'multi':
      return `multi [${op.ops.map((sub) => `${sub.type} ${sub.path}${'version' in sub ? ` v${sub.version}` : ''}`).join(', ')}]`;
    case 'setWatches':
      return `setWatches from 0x${op.relativeZxid.toString(16)} data [${op.lists.dataWatches.join(' ')}] exist [${op.lists.existWatches.join(' ')}] child [${op.lists.childWatches.join(' ')}]`;
    default:
      return op.kind;
  }
}

/** A short text of a reply's body, for traces. */
export function describeBody(reply: ServerReply): string {
  const body = reply.body;
  const stat = (s: { czxid: bigint; mzxid: bigint; pzxid: bigint; version: number; ephemeralOwner: bigint }): string =>
    `c0x${s.czxid.toString(16)} m0x${s.mzxid.toString(16)} p0x${s.pzxid.toString(16)} v${s.version}${s.ephemeralOwner === 0n ? '' : ` owner 0x${s.ephemeralOwner.toString(16)}`}`;
  switch (body.type) {
    case 'getData':
      return `${JSON.stringify(new TextDecoder().decode(body.data))} ${stat(body.stat)}`;
    case 'exists':
      return body.stat === null ? 'absent' : stat(body.stat);
    case 'getChildren':
      return `[${body.children.join(' ')}] ${stat(body.stat)}`;
    case 'create':
      return `${body.path} ${stat(body.stat)}`;
    case 'setData':
      return stat(body.stat);
    case 'multi':
      return `[${body.results.map((r) => (r.type === 'error' ? `error ${r.code}` : r.type)).join(', ')}]`;
    default:
      return '';
  }
}
