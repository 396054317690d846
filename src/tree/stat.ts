/**
 * ZooKeeper's Stat, field for field. zxids and the owner session id are 64-bit, so `bigint`;
 * times are milliseconds since the epoch as the leader's clock read them.
 */
export interface Stat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: bigint;
}

/** The most data one znode holds (ZooKeeper's jute.maxbuffer less nothing: 1 MiB - 1). */
export const MAX_DATA_BYTES = 1_048_575;

/** "Any version": the version argument that skips the check. */
export const ANY_VERSION = -1;
