import { MAX_DATA_BYTES } from '../tree/stat.js';

/**
 * Every limit of the wire format in one place. Encoders refuse to write what decoders would refuse to
 * read, so a value that encodes always decodes. PROTOCOL.md lists the same numbers.
 */

/** The protocol version this build writes (the first varUint of every frame). */
export const WIRE_VERSION = 1;

/** The versions this build reads. Stored formats (txn batches, snapshots) keep every version ever written. */
export const SUPPORTED_WIRE_VERSIONS: readonly number[] = [1];

/** The largest frame of any kind except a tree snapshot (replies, watch events, txns, consensus). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * The largest client-to-replica frame (connect request, request): ZooKeeper's jute.maxbuffer
 * (1,048,575) plus its default jute.maxbuffer.extrasize of the same again, rounded up to 2 MiB.
 */
export const MAX_REQUEST_FRAME_BYTES = 2 * 1024 * 1024;

/** The most data bytes in one data field (ZooKeeper's jute.maxbuffer, 1 MiB - 1). */
export const MAX_DATA_FIELD_BYTES = MAX_DATA_BYTES;

/** The longest path, in UTF-8 bytes, anywhere on the wire (requested, resolved, watched, stored). */
export const MAX_PATH_BYTES = 4096;

/** The most entries in one ACL. */
export const MAX_ACL_ENTRIES = 1024;

/** The longest ACL scheme or id string, in UTF-8 bytes (also whoAmI ids and addAuthInfo's scheme). */
export const MAX_ACL_ID_BYTES = 1024;

/** The longest addAuthInfo credential, in bytes. */
export const MAX_AUTH_BYTES = 4096;

/** The longest replica id, in UTF-8 bytes (the consensus layer's MAX_REPLICA_ID_LENGTH in characters). */
export const MAX_REPLICA_ID_BYTES = 512;

/** The longest session password, in bytes (ZooKeeper's are 16). */
export const MAX_PASSWORD_BYTES = 64;

/** The most ops in one multi or multiRead (and results in its reply, txns in a multi txn). */
export const MAX_MULTI_OPS = 10_000;

/** The most strings in one list: children, ephemerals, each setWatches path list. */
export const MAX_LIST_COUNT = 1_000_000;

/** The most txns in one encoded batch (one log entry). */
export const MAX_TXN_BATCH_COUNT = 10_000;

/** The largest encoded tree snapshot. */
export const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;

/** The most znodes in one tree snapshot. */
export const MAX_SNAPSHOT_NODES = 10_000_000;

/** The most distinct ACL lists in one tree snapshot. */
export const MAX_SNAPSHOT_ACL_LISTS = 1_000_000;

/** The most path bytes, all paths together, in one tree snapshot (stays below the engines' string limit). */
export const MAX_SNAPSHOT_PATH_BYTES = 256 * 1024 * 1024;

/** The largest opaque session-table section of a tree snapshot. */
export const MAX_SNAPSHOT_SESSIONS_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------- between replicas

/**
 * The largest replica-to-replica frame (Raft messages, forwarded requests). A MsgApp carries at most
 * the consensus layer's maxSizePerMsg of entry data (1 MiB by default, and at least one entry), a
 * MsgSnap one snapshotChunkBytes chunk (256 KiB by default): both must stay below this, overhead included.
 */
export const MAX_PEER_FRAME_BYTES = 16 * 1024 * 1024;

/** The most entries in one MsgApp (the consensus layer's maxEntriesPerMsg defaults to 4,096). */
export const MAX_APPEND_ENTRIES = 100_000;

/** The largest data of one log entry (a txnBatch frame or a ConfChange): bounded by the frame. */
export const MAX_ENTRY_DATA_BYTES = MAX_PEER_FRAME_BYTES;

/** The largest snapshot chunk in one MsgSnap: bounded by the frame. */
export const MAX_SNAPSHOT_CHUNK_BYTES = MAX_PEER_FRAME_BYTES;

/** The most voters, and the most learners, in one ConfState. */
export const MAX_CONF_REPLICAS = 1024;

/** The longest ReadIndex request context (MsgReadIndex, MsgReadIndexResp). */
export const MAX_READ_CONTEXT_BYTES = 4096;

/** The most requests in one forward message, and in one forwardRefused message. */
export const MAX_FORWARD_REQUESTS = 10_000;

/** The most session ids in one sessionActivity message. */
export const MAX_SESSION_ACTIVITY_IDS = 100_000;
