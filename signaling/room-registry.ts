/**
 * Founding records: which ensemble each room belongs to, and the verifier its joins are checked against.
 * Kept in memory and in `<dataDir>/rooms.json`, rewritten atomically (temp file, fsync, rename) after
 * each founding. A founding is reported only once its record is on disk, so a server restart never
 * forgets a room it has told anyone about. One server process owns a data dir (`server.lock`).
 */
import { mkdir, open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isWellFormedVerifier } from '../src/transport/room-crypto.js';
import { isValidEnsembleId, isValidRoomName } from '../src/transport/signaling-protocol.js';

export interface RoomRecord {
  readonly ensembleId: string;
  /** base64url HMAC-SHA-256 key derived from the room secret (see src/transport/room-crypto.ts). */
  readonly verifier: string;
  readonly foundedAtMs: number;
}

export type FoundResult =
  | { readonly kind: 'founded'; readonly record: RoomRecord }
  | { readonly kind: 'exists'; readonly record: RoomRecord }
  | { readonly kind: 'full' }
  | { readonly kind: 'failed'; readonly message: string };

const RECORDS_FILE = 'rooms.json';
const LOCK_FILE = 'server.lock';
const FILE_FORMAT = 'meshkeeper-signaling-rooms';
const FILE_VERSION = 1;

export class RoomRegistry {
  private readonly records = new Map<string, RoomRecord>();
  /** Rooms whose record is not on disk yet: resolves true once written, false if the write failed. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private writeInFlight: Promise<void> = Promise.resolve();
  private writeQueued: Promise<void> | undefined;
  private writeCounter = 0;
  private closed = false;

  private constructor(
    readonly dataDir: string,
    private readonly maxRooms: number,
    private readonly nowMs: () => number,
  ) {}

  /** Loads the records of `dataDir` (created if missing) and takes its lock. */
  static async open(dataDir: string, options: { readonly maxRooms: number; readonly nowMs?: () => number }): Promise<RoomRegistry> {
    await mkdir(dataDir, { recursive: true });
    await takeLock(join(dataDir, LOCK_FILE));
    const registry = new RoomRegistry(dataDir, options.maxRooms, options.nowMs ?? Date.now);
    try {
      await registry.load();
    } catch (error) {
      await unlink(join(dataDir, LOCK_FILE)).catch(() => undefined);
      throw error;
    }
    return registry;
  }

  get size(): number {
    return this.records.size;
  }

  get filePath(): string {
    return join(this.dataDir, RECORDS_FILE);
  }

  /** Whether the room has a record (possibly still being written). */
  has(room: string): boolean {
    return this.records.has(room);
  }

  /** The room's record once it is on disk; undefined when there is none or its write failed. */
  async durableRecord(room: string): Promise<RoomRecord | undefined> {
    const pending = this.pending.get(room);
    if (pending !== undefined && !(await pending)) return undefined;
    return this.records.get(room);
  }

  /**
   * Founds `room` for `ensembleId` unless it already has a record. The decision is synchronous, so of
   * concurrent foundings exactly one wins; the winner's promise settles once the record is on disk.
   */
  found(room: string, ensembleId: string, verifier: string): Promise<FoundResult> {
    const existing = this.records.get(room);
    if (existing !== undefined) {
      return this.durableRecord(room).then((record) =>
        record === undefined ? { kind: 'failed', message: 'the founding record could not be written' } : { kind: 'exists', record },
      );
    }
    if (this.closed) return Promise.resolve({ kind: 'failed', message: 'the server is stopping' });
    if (this.records.size >= this.maxRooms) return Promise.resolve({ kind: 'full' });
    const record: RoomRecord = { ensembleId, verifier, foundedAtMs: this.nowMs() };
    this.records.set(room, record);
    const written = this.persist().then(
      () => true,
      () => false,
    );
    this.pending.set(room, written);
    return written.then((ok): FoundResult => {
      this.pending.delete(room);
      if (ok) return { kind: 'founded', record };
      if (this.records.get(room) === record) this.records.delete(room);
      return { kind: 'failed', message: 'the founding record could not be written' };
    });
  }

  /** Waits for pending writes and releases the data dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending.values()]);
    await this.writeInFlight.catch(() => undefined);
    await unlink(join(this.dataDir, LOCK_FILE)).catch(() => undefined);
  }

  private async load(): Promise<void> {
    for (const name of await readdir(this.dataDir)) {
      if (name.startsWith(`${RECORDS_FILE}.`) && name.endsWith('.tmp')) await unlink(join(this.dataDir, name)).catch(() => undefined);
    }
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const problem = (detail: string): Error =>
      new Error(`${this.filePath} is not a valid founding-record file (${detail}); see signaling/README.md, "Losing the founding records"`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw problem('not JSON');
    }
    const file = parsed as { format?: unknown; version?: unknown; rooms?: unknown };
    if (typeof parsed !== 'object' || parsed === null || file.format !== FILE_FORMAT || file.version !== FILE_VERSION) {
      throw problem('unknown format or version');
    }
    if (!Array.isArray(file.rooms)) throw problem('rooms is not a list');
    for (const entry of file.rooms as unknown[]) {
      const { room, ensembleId, verifier, foundedAtMs } = (entry ?? {}) as Record<string, unknown>;
      if (!isValidRoomName(room) || !isValidEnsembleId(ensembleId) || typeof verifier !== 'string' || !isWellFormedVerifier(verifier)) {
        throw problem(`bad entry ${JSON.stringify(entry)}`);
      }
      if (typeof foundedAtMs !== 'number' || !Number.isFinite(foundedAtMs)) throw problem(`bad foundedAtMs for room ${room}`);
      if (this.records.has(room)) throw problem(`room ${room} appears twice`);
      this.records.set(room, { ensembleId, verifier, foundedAtMs });
    }
  }

  /** Writes the whole table; calls made while a write runs share the next one. */
  private persist(): Promise<void> {
    if (this.writeQueued !== undefined) return this.writeQueued;
    const queued = this.writeInFlight
      .catch(() => undefined)
      .then(() => {
        this.writeQueued = undefined;
        return this.writeSnapshot();
      });
    this.writeQueued = queued;
    this.writeInFlight = queued;
    return queued;
  }

  private async writeSnapshot(): Promise<void> {
    const rooms = [...this.records].map(([room, record]) => ({ room, ...record }));
    const text = `${JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, rooms }, null, 1)}\n`;
    this.writeCounter += 1;
    const temporary = join(this.dataDir, `${RECORDS_FILE}.${process.pid}.${this.writeCounter}.tmp`);
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.filePath);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncDirectory(this.dataDir);
  }
}

async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

async function takeLock(path: string): Promise<void> {
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) {
    throw new Error(`data dir is in use by process ${holder} (${path}); one signaling server per data dir`);
  }
  // The holder is gone: a stale lock from a crash.
  await writeFile(path, `${process.pid}\n`, { mode: 0o600 });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
