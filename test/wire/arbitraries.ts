import fc from 'fast-check';
import type { Acl, Id } from '../../src/tree/acl.js';
import type { CreateModeFlag } from '../../src/tree/create-mode.js';
import { ErrorCode, type ErrorCodeNumber } from '../../src/errors/error-code.js';
import type { CheckOp, CreateOp, DeleteOp, MultiOp, MultiReadOp, SetDataOp } from '../../src/tree/op.js';
import type { OpResult, ReadResult } from '../../src/tree/op-result.js';
import type { SnapshotNode, TreeSnapshot } from '../../src/tree/snapshot-node.js';
import type { Stat } from '../../src/tree/stat.js';
import type { MultiTxn, Txn, TxnHeader } from '../../src/tree/txn.js';
import { EventType, type EventTypeName } from '../../src/tree/watch-event.js';
import {
  AddWatchMode,
  KeeperState,
  WatcherType,
  type AddWatchModeName,
  type ClientRequest,
  type ConnectRequest,
  type ConnectResponse,
  type KeeperStateName,
  type ReplyBody,
  type RequestBody,
  type ServerReply,
  type WatcherTypeName,
  type WatchNotification,
} from '../../src/wire/client-message.js';
import type { TxnRecord } from '../../src/wire/txn-codec.js';

/** fast-check arbitraries for every value the wire carries, edges included. */

export const int32 = fc.oneof(
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  fc.constantFrom(-0x8000_0000, 0x7fff_ffff, -1, 0, 1, 63, 64, -64, -65, 127, 128),
);

export const int53 = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 - 1),
);

export const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 32n, 2n ** 53n + 1n),
);

/** Any Unicode scalar value: ASCII, two- and three-byte UTF-8, astral (surrogate pairs), NUL, BOM. */
const anyCharacter = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0, max: 0x10ffff }).filter((code) => code < 0xd800 || code > 0xdfff).map((code) => String.fromCodePoint(code)),
  fc.constantFrom('\u0000', '\uFEFF', 'é', '中', '😀', '\uFFFF', '\u{10FFFF}'),
);

/** Strings: ASCII, any Unicode (well-formed), and ones starting with a BOM. */
export const text = (maxLength = 12): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: anyCharacter, maxLength }),
    fc.string({ unit: anyCharacter, maxLength }).map((s) => `\uFEFF${s}`),
  );

export const path = fc.oneof(
  fc.array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  text(16),
);

export const bytes = (maxLength = 32): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export const createMode = fc.constantFrom<CreateModeFlag>(0, 1, 2, 3, 4, 5, 6);

const errorCodes = Object.values(ErrorCode) as ErrorCodeNumber[];
export const errorCode = fc.constantFrom(...errorCodes);
export const failureCode = fc.constantFrom(...errorCodes.filter((code) => code !== ErrorCode.OK));

export const id: fc.Arbitrary<Id> = fc.record({ scheme: text(8), id: text(16) });
export const acl: fc.Arbitrary<Acl[]> = fc.array(fc.record({ perms: int32, id }), { maxLength: 3 });

export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64,
  mzxid: int64,
  ctime: int53,
  mtime: int53,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});

const createFields = fc.record({ path, data: bytes(), acl, mode: createMode, ttlMs: int53 });
const createOp: fc.Arbitrary<CreateOp> = createFields.map((f) => ({ type: 'create', ...f }));
const deleteOp: fc.Arbitrary<DeleteOp> = fc.record({ type: fc.constant('delete'), path, version: int32 });
const setDataOp: fc.Arbitrary<SetDataOp> = fc.record({ type: fc.constant('setData'), path, data: bytes(), version: int32 });
const checkOp: fc.Arbitrary<CheckOp> = fc.record({ type: fc.constant('check'), path, version: int32 });
const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(createOp, deleteOp, setDataOp, checkOp);
const multiReadOp: fc.Arbitrary<MultiReadOp> = fc.record({ type: fc.constantFrom('getData', 'getChildren'), path });
const pathList = fc.array(path, { maxLength: 3 });

const watchable = <T extends 'exists' | 'getData' | 'getChildren' | 'getChildren2'>(type: T) =>
  fc.record({ type: fc.constant(type), path, watch: fc.boolean() });

/** One arbitrary per request type, so a test can make sure each is exercised. */
export const requestBodies: Record<RequestBody['type'], fc.Arbitrary<RequestBody>> = {
  create: createOp,
  create2: createFields.map((f) => ({ type: 'create2' as const, ...f })),
  delete: deleteOp,
  exists: watchable('exists'),
  getData: watchable('getData'),
  setData: setDataOp,
  getACL: fc.record({ type: fc.constant('getACL'), path }),
  setACL: fc.record({ type: fc.constant('setACL'), path, acl, version: int32 }),
  getChildren: watchable('getChildren'),
  getChildren2: watchable('getChildren2'),
  getAllChildrenNumber: fc.record({ type: fc.constant('getAllChildrenNumber'), path }),
  getEphemerals: fc.record({ type: fc.constant('getEphemerals'), prefix: path }),
  check: checkOp,
  multi: fc.record({ type: fc.constant('multi'), ops: fc.array(multiOp, { maxLength: 4 }) }),
  multiRead: fc.record({ type: fc.constant('multiRead'), ops: fc.array(multiReadOp, { maxLength: 4 }) }),
  sync: fc.record({ type: fc.constant('sync'), path }),
  addWatch: fc.record({
    type: fc.constant('addWatch'),
    path,
    mode: fc.constantFrom(...(Object.keys(AddWatchMode) as AddWatchModeName[])),
  }),
  removeWatches: fc.record({
    type: fc.constant('removeWatches'),
    path,
    watcherType: fc.constantFrom(...(Object.keys(WatcherType) as WatcherTypeName[])),
    local: fc.boolean(),
  }),
  setWatches: fc.record({
    type: fc.constant('setWatches'),
    relativeZxid: int64,
    dataWatches: pathList,
    existWatches: pathList,
    childWatches: pathList,
    persistentWatches: pathList,
    persistentRecursiveWatches: pathList,
  }),
  addAuthInfo: fc.record({ type: fc.constant('addAuthInfo'), scheme: text(8), auth: bytes() }),
  whoAmI: fc.constant({ type: 'whoAmI' }),
  ping: fc.constant({ type: 'ping' }),
  closeSession: fc.constant({ type: 'closeSession' }),
};

export const requestBody: fc.Arbitrary<RequestBody> = fc.oneof(...Object.values(requestBodies));
export const clientRequest: fc.Arbitrary<ClientRequest> = fc.record({ xid: int32, body: requestBody });

const errorResult = fc.record({ type: fc.constant('error' as const), code: errorCode });
const multiResult: fc.Arbitrary<OpResult> = fc.oneof(
  fc.record({ type: fc.constant('create' as const), path, stat }),
  fc.constant({ type: 'delete' as const }),
  fc.record({ type: fc.constant('setData' as const), stat }),
  fc.constant({ type: 'check' as const }),
  errorResult,
);
const getDataResult = fc.record({ type: fc.constant('getData' as const), data: bytes(), stat });
const getChildrenResult = fc.record({ type: fc.constant('getChildren' as const), children: pathList, stat });
const multiReadResult: fc.Arbitrary<ReadResult> = fc.oneof(getDataResult, getChildrenResult, errorResult);

/** One arbitrary per body a successful reply can have. */
export const replyBodies: Record<Exclude<ReplyBody['type'], 'error'>, fc.Arbitrary<ReplyBody>> = {
  create: fc.record({ type: fc.constant('create'), path, stat }),
  delete: fc.constant({ type: 'delete' }),
  setData: fc.record({ type: fc.constant('setData'), stat }),
  setACL: fc.record({ type: fc.constant('setACL'), stat }),
  check: fc.constant({ type: 'check' }),
  multi: fc.record({ type: fc.constant('multi'), results: fc.array(multiResult, { maxLength: 4 }) }),
  createSession: fc.constant({ type: 'createSession' }),
  moveSession: fc.constant({ type: 'moveSession' }),
  closeSession: fc.constant({ type: 'closeSession' }),
  deleteContainer: fc.constant({ type: 'deleteContainer' }),
  getData: getDataResult,
  exists: fc.record({ type: fc.constant('exists'), stat: fc.option(stat, { nil: null }) }),
  getChildren: getChildrenResult,
  getAllChildrenNumber: fc.record({ type: fc.constant('getAllChildrenNumber'), count: fc.integer({ min: 0, max: 0x7fff_ffff }) }),
  getEphemerals: fc.record({ type: fc.constant('getEphemerals'), paths: pathList }),
  getACL: fc.record({ type: fc.constant('getACL'), acl, stat }),
  multiRead: fc.record({ type: fc.constant('multiRead'), results: fc.array(multiReadResult, { maxLength: 4 }) }),
  sync: fc.record({ type: fc.constant('sync'), path }),
  whoAmI: fc.record({ type: fc.constant('whoAmI'), ids: fc.array(id, { maxLength: 3 }) }),
  ping: fc.constant({ type: 'ping' }),
  addWatch: fc.constant({ type: 'addWatch' }),
  removeWatches: fc.constant({ type: 'removeWatches' }),
  setWatches: fc.constant({ type: 'setWatches' }),
  addAuthInfo: fc.constant({ type: 'addAuthInfo' }),
};

export const serverReply: fc.Arbitrary<ServerReply> = fc.oneof(
  fc.record({ xid: int32, zxid: int64, err: fc.constant(ErrorCode.OK), body: fc.oneof(...Object.values(replyBodies)) }),
  fc.record({ xid: int32, zxid: int64, code: failureCode }).map(({ xid, zxid, code }) => ({
    xid,
    zxid,
    err: code,
    body: { type: 'error' as const, code },
  })),
);

export const connectRequest: fc.Arbitrary<ConnectRequest> = fc.record({
  lastZxidSeen: int64,
  timeoutMs: int32,
  sessionId: int64,
  password: bytes(64),
  readOnly: fc.boolean(),
});

export const connectResponse: fc.Arbitrary<ConnectResponse> = fc.record({
  timeoutMs: int32,
  sessionId: int64,
  password: bytes(64),
  readOnly: fc.boolean(),
});

export const watchNotification: fc.Arbitrary<WatchNotification> = fc.record({
  type: fc.constantFrom(...(Object.keys(EventType) as EventTypeName[])),
  state: fc.constantFrom(...(Object.keys(KeeperState) as KeeperStateName[])),
  path,
  zxid: int64,
});

// ------------------------------------------------------------ txns

export const txnHeader: fc.Arbitrary<TxnHeader> = fc.record({ sessionId: int64, cxid: int32, zxid: int64, timeMs: int53 });

const createTxn = fc.record({
  type: fc.constant('create' as const),
  path,
  data: bytes(),
  acl,
  mode: createMode,
  ephemeralOwner: int64,
  ttlMs: int53,
  parentCversion: int32,
});
const deleteTxn = fc.record({ type: fc.constant('delete' as const), path });
const setDataTxn = fc.record({ type: fc.constant('setData' as const), path, data: bytes(), version: int32 });
const checkTxn = fc.record({ type: fc.constant('check' as const), path, version: int32 });
const errorTxn = fc.record({ type: fc.constant('error' as const), code: errorCode });

const multiTxn: fc.Arbitrary<MultiTxn> = fc.oneof(
  fc.array(fc.oneof(createTxn, deleteTxn, setDataTxn, checkTxn), { maxLength: 4 }),
  fc.array(errorTxn, { minLength: 1, maxLength: 4 }),
).map((txns) => ({ type: 'multi', txns }));

/** One arbitrary per txn kind. */
export const txns: Record<Txn['type'], fc.Arbitrary<Txn>> = {
  create: createTxn,
  delete: deleteTxn,
  setData: setDataTxn,
  setACL: fc.record({ type: fc.constant('setACL' as const), path, acl, version: int32 }),
  check: checkTxn,
  error: errorTxn,
  multi: multiTxn,
  deleteContainer: fc.record({ type: fc.constant('deleteContainer' as const), path }),
  createSession: fc.record({
    type: fc.constant('createSession' as const),
    timeoutMs: int32,
    passwordDigest: fc.uint8Array({ maxLength: 64 }),
    ownerReplica: fc.string({ maxLength: 40 }),
    fateShared: fc.boolean(),
  }),
  moveSession: fc.record({ type: fc.constant('moveSession' as const), ownerReplica: fc.string({ maxLength: 40 }) }),
  closeSession: fc.constant({ type: 'closeSession' as const }),
};

export const txn: fc.Arbitrary<Txn> = fc.oneof(...Object.values(txns));
export const txnRecord: fc.Arbitrary<TxnRecord> = fc.record({ header: txnHeader, txn });

// ------------------------------------------------------------ snapshots

const sharedAcls: Acl[][] = [[{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], []];

export const snapshotNode: fc.Arbitrary<SnapshotNode> = fc.record({
  path,
  data: bytes(48),
  acl: fc.oneof(fc.constantFrom(...sharedAcls), acl),
  mode: createMode,
  ttlMs: fc.oneof(fc.constant(0), int53),
  czxid: int64,
  mzxid: int64,
  pzxid: int64,
  ctime: int53,
  mtime: int53,
  version: int32,
  creates: int32,
  aversion: int32,
  ephemeralOwner: fc.oneof(fc.constant(0n), int64),
});

/** Nodes whose mzxid/pzxid/mtime often equal czxid/ctime, as most real nodes' do. */
const usualNode: fc.Arbitrary<SnapshotNode> = snapshotNode.chain((node) =>
  fc.record({ sameM: fc.boolean(), sameP: fc.boolean(), sameT: fc.boolean() }).map(({ sameM, sameP, sameT }) => ({
    ...node,
    mzxid: sameM ? node.czxid : node.mzxid,
    pzxid: sameP ? node.czxid : node.pzxid,
    mtime: sameT ? node.ctime : node.mtime,
  })),
);

export const treeSnapshot: fc.Arbitrary<TreeSnapshot> = fc.record({
  lastZxid: int64,
  nodes: fc.array(fc.oneof(usualNode, snapshotNode), { maxLength: 12 }),
  sessions: bytes(24),
});
