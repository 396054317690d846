/**
 * The layout of an encoded tree snapshot (PROTOCOL.md, "Tree snapshot"), shared by
 * snapshot-encoder.ts and snapshot-decoder.ts:
 *
 *   treeSnapshot := varUint(version) • varUint(18) • snapshotBody • uint32le(crc32)
 *   snapshotBody := int64(lastZxid) • varUint(nodeCount) • aclTable • varString(paths)
 *                 • varByteArray(data) • nodeRecord{nodeCount} • varByteArray(sessions)
 *   aclTable     := varUint(listCount) • aclList{listCount}      distinct lists, in order of first use
 *   paths        := every node's path, concatenated in node order (one UTF-8 string)
 *   data         := every node's data, concatenated in node order
 *   nodeRecord   := varUint(pathUnits) • varUint(dataLength) • varUint(aclIndex) • uint8(flags)
 *                 • int64(czxid) • [int64(mzxid)] • [int64(pzxid)] • [int64(ephemeralOwner)]
 *                 • varInt(ctime) • [varInt(mtime)] • varInt(version) • varInt(creates)
 *                 • varInt(aversion) • [varInt(ttlMs)]
 *
 * A bracketed field is present only when its flag says the value is not the usual one. The crc32
 * covers every byte before it. Paths and data are stored as columns so decoding makes one string
 * and one byte copy for all nodes; node i's path is the next `pathUnits` UTF-16 code units of the
 * paths string, its data the next `dataLength` bytes of the data column.
 */

/** flags bits 0-2: the CreateMode flag (0..6). */
export const FLAG_MODE_MASK = 0b0000_0111;
/** Set when mzxid equals czxid (no mzxid field). */
export const FLAG_MZXID_IS_CZXID = 0b0000_1000;
/** Set when pzxid equals czxid (no pzxid field). */
export const FLAG_PZXID_IS_CZXID = 0b0001_0000;
/** Set when ephemeralOwner is not 0 (an ephemeralOwner field follows). */
export const FLAG_HAS_OWNER = 0b0010_0000;
/** Set when mtime equals ctime (no mtime field). */
export const FLAG_MTIME_IS_CTIME = 0b0100_0000;
/** Set when ttlMs is not 0 (a ttlMs field follows). */
export const FLAG_HAS_TTL = 0b1000_0000;

/** The most bytes one nodeRecord takes: 2 + 3 + 3 varUint, 1 flags, 4 int64, 3 int53 and 3 int32 varInts. */
export const MAX_NODE_RECORD_BYTES = 2 + 3 + 3 + 1 + 4 * 8 + 3 * 8 + 3 * 5;

/** The fewest bytes one nodeRecord takes. */
export const MIN_NODE_RECORD_BYTES = 1 + 1 + 1 + 1 + 8 + 1 + 1 + 1 + 1;

/** The bytes of the trailing checksum. */
export const CHECKSUM_BYTES = 4;
