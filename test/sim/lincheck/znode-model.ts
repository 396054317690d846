import type { ErrorCodeName } from '../../../src/errors/error-code.js';
import { combineHashes } from './hash.js';
import { keyedModel, type KeyModel, type KeyedState } from './keyed-model.js';
import type { Model, StepResult } from './model.js';
import { ABSENT, appendValue, historyOf, oldestMatchFrom, sameHistory, valuesOf, type NodeVersion, type ValueHistory } from './znode-history.js';

/**
 * ZooKeeper's znode operations, one path at a time. Data is a string here (a scenario encodes its
 * bytes, e.g. as hex). Versions follow ZooKeeper: a created node has version 0, each setData adds
 * one, and an expected version of -1 matches any version (any other mismatch is BADVERSION).
 *
 * Reads come in two strengths, as in ZooKeeper:
 * - `getData`, a plain read served by whichever replica the client is connected to: it may be stale,
 *   but it never goes back in time for one client (it never returns an older value than the client
 *   has already seen, read or written);
 * - `syncGetData`, sync() then getData(): it sees every write completed before the sync's call, so
 *   it is linearizable. Record it as one operation from the sync's call to the read's return.
 *
 * The tree's hierarchy is not modelled (partitioned by path, each path stands alone): a create that
 * fails with NONODE or NOCHILDRENFOREPHEMERALS (a parent's fault) is accepted when the node is absent,
 * and a delete that fails with NOTEMPTY when the node exists and the version matches; neither changes
 * anything. Connection loss and session expiry leave the outcome unknown: record such an operation
 * as pending.
 */
export type ZnodeInput =
  | { readonly kind: 'create'; readonly path: string; readonly data: string }
  | { readonly kind: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'getData'; readonly path: string }
  | { readonly kind: 'syncGetData'; readonly path: string };

export type ZnodeErrorCode = Extract<ErrorCodeName, 'NONODE' | 'NODEEXISTS' | 'BADVERSION' | 'NOTEMPTY' | 'NOCHILDRENFOREPHEMERALS'>;

export type ZnodeOutput =
  | { readonly kind: 'created' }
  | { readonly kind: 'set'; readonly version: number }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'data'; readonly data: string; readonly version: number }
  | { readonly kind: 'error'; readonly code: ZnodeErrorCode };

/** One path's state for the checker. */
export interface ZnodeState {
  /** The values the path has held (only the current one unless plain reads may be stale). */
  readonly history: ValueHistory;
  /** Per client (sorted by client id), the oldest history index its next plain read may return. */
  readonly floors: readonly (readonly [clientId: number, index: number])[];
}

export const INITIAL_ZNODE_STATE: ZnodeState = { history: historyOf(ABSENT), floors: [] };

export function currentValue(state: ZnodeState): NodeVersion {
  return state.history.value;
}

/** Executes a write or a linearizable read on the current value: the sequential specification. */
export function applyZnode(node: NodeVersion, input: ZnodeInput): { readonly node: NodeVersion; readonly output: ZnodeOutput } {
  const error = (code: ZnodeErrorCode) => ({ node, output: { kind: 'error', code } as const });
  switch (input.kind) {
    case 'create':
      if (node.exists) return error('NODEEXISTS');
      return { node: { exists: true, data: input.data, version: 0 }, output: { kind: 'created' } };
    case 'setData':
      if (!node.exists) return error('NONODE');
      if (input.version !== -1 && input.version !== node.version) return error('BADVERSION');
      return { node: { exists: true, data: input.data, version: node.version + 1 }, output: { kind: 'set', version: node.version + 1 } };
    case 'delete':
      if (!node.exists) return error('NONODE');
      if (input.version !== -1 && input.version !== node.version) return error('BADVERSION');
      return { node: ABSENT, output: { kind: 'deleted' } };
    case 'getData':
    case 'syncGetData':
      return { node, output: readOf(node) };
  }
}

export function readOf(node: NodeVersion): ZnodeOutput {
  return node.exists ? { kind: 'data', data: node.data, version: node.version } : { kind: 'error', code: 'NONODE' };
}

function sameOutput(a: ZnodeOutput, b: ZnodeOutput): boolean {
  switch (a.kind) {
    case 'created':
    case 'deleted':
      return b.kind === a.kind;
    case 'set':
      return b.kind === 'set' && b.version === a.version;
    case 'data':
      return b.kind === 'data' && b.data === a.data && b.version === a.version;
    case 'error':
      return b.kind === 'error' && b.code === a.code;
  }
}

export function floorOf(state: ZnodeState, clientId: number): number {
  return state.floors.find(([client]) => client === clientId)?.[1] ?? 0;
}

function withFloor(state: ZnodeState, clientId: number, index: number): ZnodeState {
  if (floorOf(state, clientId) === index) return state;
  const floors = state.floors.filter(([client]) => client !== clientId);
  if (index > 0) floors.push([clientId, index]);
  floors.sort((a, b) => a[0] - b[0]);
  return { history: state.history, floors };
}

/** An error that only a parent (which this model does not see) can cause: accepted as a no-op. */
function isParentError(node: NodeVersion, input: ZnodeInput, output: ZnodeOutput): boolean {
  if (output.kind !== 'error') return false;
  if (input.kind === 'create') return !node.exists && (output.code === 'NONODE' || output.code === 'NOCHILDRENFOREPHEMERALS');
  if (input.kind === 'delete') return node.exists && output.code === 'NOTEMPTY' && (input.version === -1 || input.version === node.version);
  return false;
}

export interface ZnodeModelOptions {
  /** Check each path on its own (default true). */
  readonly partitionByPath?: boolean;
  /** Plain getData may be stale (ZooKeeper's guarantee, default true); false checks it as linearizable. */
  readonly staleReads?: boolean;
}

export function createZnodeKeyModel(staleReads: boolean): KeyModel<ZnodeState, ZnodeInput, ZnodeOutput> {
  const current = currentValue;
  const lastIndex = (state: ZnodeState) => state.history.index;
  return {
    name: staleReads ? 'znode' : 'znode (linearizable plain reads)',
    keyOf: (input) => input.path,
    init: () => INITIAL_ZNODE_STATE,
    step(state, input, output, clientId): StepResult<ZnodeState> {
      if (input.kind === 'getData' && staleReads) {
        if (output === undefined) return { ok: true, state };
        // The oldest match leaves the client's later reads the most freedom.
        const index = oldestMatchFrom(state.history, floorOf(state, clientId), (value) => sameOutput(readOf(value), output));
        return index === -1 ? { ok: false } : { ok: true, state: withFloor(state, clientId, index) };
      }
      const node = current(state);
      if (output !== undefined && isParentError(node, input, output)) return { ok: true, state: withFloor(state, clientId, lastIndex(state)) };
      const applied = applyZnode(node, input);
      if (output !== undefined && !sameOutput(applied.output, output)) return { ok: false };
      const changed = applied.node !== node;
      const history = !changed ? state.history : staleReads ? appendValue(state.history, applied.node) : historyOf(applied.node);
      const next: ZnodeState = changed ? { history, floors: state.floors } : state;
      // A returned operation shows its client the newest value: its later plain reads cannot go back.
      return { ok: true, state: output === undefined || !staleReads ? next : withFloor(next, clientId, history.index) };
    },
    equal(a, b) {
      if (a.floors.length !== b.floors.length || !sameHistory(a.history, b.history)) return false;
      return a.floors.every(([client, index], i) => b.floors[i]![0] === client && b.floors[i]![1] === index);
    },
    hash(state) {
      let h = state.history.hash;
      for (const [client, index] of state.floors) h = combineHashes(h, combineHashes(client, index));
      return h;
    },
    isReadOnly: (input) => input.kind === 'getData' || input.kind === 'syncGetData',
    describeOperation: describeZnodeOperation,
    describeState(state) {
      const node = current(state);
      const now = node.exists ? `${JSON.stringify(node.data)} version ${node.version}` : 'absent';
      if (!staleReads || state.history.index === 0) return now;
      const floors = state.floors.map(([client, index]) => `client ${client} >= #${index}`).join(', ');
      const past = valuesOf(state.history).map((value, index) => `#${index} ${value.exists ? `${JSON.stringify(value.data)} v${value.version}` : 'absent'}`).join(', ');
      return `${now} (history: ${past}${floors === '' ? '' : `; plain-read floors: ${floors}`})`;
    },
  };
}

export function describeZnodeOperation(input: ZnodeInput, output: ZnodeOutput | undefined): string {
  const call =
    input.kind === 'create'
      ? `create(${input.path}, ${JSON.stringify(input.data)})`
      : input.kind === 'setData'
        ? `setData(${input.path}, ${JSON.stringify(input.data)}, version ${input.version})`
        : input.kind === 'delete'
          ? `delete(${input.path}, version ${input.version})`
          : `${input.kind}(${input.path})`;
  if (output === undefined) return `${call} -> ? (pending)`;
  switch (output.kind) {
    case 'created':
      return `${call} -> created`;
    case 'set':
      return `${call} -> version ${output.version}`;
    case 'deleted':
      return `${call} -> deleted`;
    case 'data':
      return `${call} -> ${JSON.stringify(output.data)} version ${output.version}`;
    case 'error':
      return `${call} -> ${output.code}`;
  }
}

export function createZnodeModel(options: ZnodeModelOptions = {}): Model<KeyedState<ZnodeState>, ZnodeInput, ZnodeOutput> {
  return keyedModel(createZnodeKeyModel(options.staleReads ?? true), { partitionByKey: options.partitionByPath ?? true });
}
