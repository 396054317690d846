import type { MeshKeeperClient } from '../client/client.js';
import type { WatchEvent } from '../client/watcher.js';
import type { Stat } from '../tree/stat.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { abortable, sleep, throwIfAborted, withWaitScope, type RecipeWaitOptions } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { checkRecipePath, parentOf } from './paths.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { isConnectionLoss, retrying, waitConnected } from './retry.js';
import { SessionWatch } from './session-watch.js';

/** A counter's value and the version of its node (for trySet). */
export interface CounterValue {
  readonly value: number;
  readonly version: number;
}

/** The events of a started SharedCounter. */
export type SharedCounterEvents = {
  /** The value changed (by anyone); seen through a persistent watch, re-read after reconnects. */
  change: [value: CounterValue];
  /** A background read failed with something other than a connection loss. */
  error: [error: unknown];
};

/** A SharedCounter's options. */
export interface SharedCounterOptions {
  /** The value the node is created with when missing; 0 by default. */
  readonly initial?: number;
  /** How many compare-and-set rounds `increment` tries under contention; 100 by default (1..10,000). */
  readonly maxRetries?: number;
}

const MAX_RETRIES_LIMIT = 10_000;
/** The longest pause between two compare-and-set rounds (a random part of it, growing with the rounds). */
const MAX_BACKOFF_MS = 50;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function checkValue(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new KeeperError('BADARGUMENTS', `${what} must be a safe integer, not ${String(value)}`);
  return value;
}

/** A counter's bytes: the decimal text of the value (readable in any ZooKeeper tool). */
export function encodeCounter(value: number): Uint8Array {
  return utf8Encoder.encode(String(value));
}

/** The value in a counter's bytes (empty: 0); BADARGUMENTS when they are not a safe integer's decimal text. */
export function decodeCounter(data: Uint8Array, path: string): number {
  const text = utf8Decoder.decode(data).trim();
  if (text === '') return 0;
  const value = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new KeeperError('BADARGUMENTS', `the node does not hold a counter (${JSON.stringify(text.slice(0, 32))})`, path);
  return value;
}

/**
 * An integer shared by every client (Curator's SharedCount, with DistributedAtomicLong's increment):
 * each change is a versioned setData (compare-and-set), retried against the new value when another
 * client got in first, so concurrent increments all count.
 *
 * ```ts
 * const counter = new SharedCounter(zk, '/app/counters/visits');
 * const { value } = await counter.increment();      // +1, whatever the contention
 * counter.on('change', ({ value }) => render(value)); // after start()
 * await counter.start();
 * ```
 *
 * A compare-and-set whose reply is lost (CONNECTIONLOSS) is checked after the reconnect: if the node
 * still has the version it had, the round is tried again; if it moved on, nobody can tell whose
 * write that was, so `increment` rejects with CONNECTIONLOSS rather than risk counting twice.
 */
export class SharedCounter extends RecipeEmitter<SharedCounterEvents> {
  readonly path: string;
  private readonly initial: number;
  private readonly maxRetries: number;
  private cached: (CounterValue & { readonly mzxid: bigint }) | undefined;
  private started = false;
  private readonly session: SessionWatch;

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    options: SharedCounterOptions = {},
  ) {
    super();
    this.path = checkRecipePath(path, 'SharedCounter');
    this.initial = checkValue(options.initial ?? 0, 'initial');
    const maxRetries = options.maxRetries ?? 100;
    if (!Number.isInteger(maxRetries) || maxRetries < 1 || maxRetries > MAX_RETRIES_LIMIT) {
      throw new KeeperError('BADARGUMENTS', `maxRetries must be an integer in 1..${MAX_RETRIES_LIMIT}`);
    }
    this.maxRetries = maxRetries;
    this.session = new SessionWatch(client, { suspended: () => undefined, reconnected: () => this.refresh(), lost: () => undefined });
  }

  /** The last value seen since start() (undefined before). */
  get value(): CounterValue | undefined {
    return this.cached === undefined ? undefined : { value: this.cached.value, version: this.cached.version };
  }

  /** Creates the node if missing, reads it, and starts following its changes (`change` events). */
  async start(options?: RecipeWaitOptions): Promise<CounterValue> {
    if (this.started) throw new KeeperError('APIERROR', 'the counter is already started', this.path);
    this.started = true;
    this.session.start();
    try {
      await withWaitScope(options, `starting the counter ${this.path}`, async (signal) => {
        await retrying(this.client, () => this.client.addWatch(this.path, 'PERSISTENT', this.onEvent), signal);
        await this.read(signal);
      });
      return this.value ?? (await this.get());
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Stops following the node's changes. */
  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.session.stop();
    await this.client.removeWatches(this.path, this.onEvent, 'Persistent', true).catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The current value (creating the node with the initial value if missing). */
  async get(options?: RecipeWaitOptions): Promise<CounterValue> {
    const { value, stat } = await withWaitScope(options, `reading the counter ${this.path}`, (signal) => this.read(signal));
    return { value, version: stat.version };
  }

  /**
   * Adds `delta` (default 1; negative subtracts) by compare-and-set, retried under contention up to
   * maxRetries rounds (then BADVERSION). Resolves with the value it wrote and its version.
   */
  async increment(delta = 1, options?: RecipeWaitOptions): Promise<CounterValue> {
    checkValue(delta, 'delta');
    return withWaitScope(options, `incrementing the counter ${this.path}`, async (signal) => {
      for (let round = 0; round < this.maxRetries; round++) {
        const { value, stat } = await this.read(signal);
        const next = checkValue(value + delta, 'the incremented value');
        if (await this.compareAndSet(next, stat.version, signal)) return { value: next, version: stat.version + 1 };
        await sleep(Math.floor(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** round)), signal);
      }
      throw new KeeperError('BADVERSION', `gave up after ${this.maxRetries} compare-and-set rounds under contention`, this.path);
    });
  }

  /** Sets the value if the node's version is still `version` (Curator's trySetCount): true when it was. */
  async trySet(value: number, version: number, options?: RecipeWaitOptions): Promise<boolean> {
    checkValue(value, 'value');
    if (!Number.isInteger(version) || version < 0) throw new KeeperError('BADARGUMENTS', 'version must be a non-negative integer', this.path);
    return withWaitScope(options, `setting the counter ${this.path}`, async (signal) => {
      await this.read(signal);
      return this.compareAndSet(value, version, signal);
    });
  }

  /** Sets the value whatever it was. */
  async set(value: number, options?: RecipeWaitOptions): Promise<CounterValue> {
    checkValue(value, 'value');
    return withWaitScope(options, `setting the counter ${this.path}`, async (signal) => {
      await this.read(signal);
      const stat = await retrying(this.client, () => this.client.setData(this.path, encodeCounter(value)), signal);
      return { value, version: stat.version };
    });
  }

  /** One versioned write: true when it applied, false on BADVERSION; a lost reply is settled as the class explains. */
  private async compareAndSet(value: number, version: number, signal: AbortSignal): Promise<boolean> {
    try {
      await abortable(this.client.setData(this.path, encodeCounter(value), version), signal);
      return true;
    } catch (error) {
      if (isKeeperError(error, 'BADVERSION')) return false;
      if (!isConnectionLoss(error)) throw error;
    }
    await waitConnected(this.client, signal);
    const { stat } = await this.read(signal);
    if (stat.version === version) return false;
    throw new KeeperError('CONNECTIONLOSS', 'the connection was lost during the write and the counter has moved on: this change may or may not have been applied', this.path);
  }

  /** Reads the node, creating it with the initial value (and its parents as containers) when missing. */
  private async read(signal?: AbortSignal): Promise<{ value: number; stat: Stat }> {
    for (let attempt = 0; attempt < 8; attempt++) {
      throwIfAborted(signal);
      try {
        const { data, stat } = await retrying(this.client, () => this.client.getData(this.path), signal);
        const value = decodeCounter(data, this.path);
        this.observe(value, stat);
        return { value, stat };
      } catch (error) {
        if (!isKeeperError(error, 'NONODE')) throw error;
      }
      await ensurePath(this.client, parentOf(this.path), signal);
      try {
        await retrying(this.client, () => this.client.create(this.path, encodeCounter(this.initial), { mode: CreateMode.PERSISTENT }), signal);
      } catch (error) {
        if (!isKeeperError(error, 'NODEEXISTS') && !isKeeperError(error, 'NONODE')) throw error;
      }
    }
    throw new KeeperError('NONODE', 'the counter node keeps vanishing', this.path);
  }

  /** Keeps the newest value seen (by mzxid) and tells the listeners when it is new. */
  private observe(value: number, stat: Stat): void {
    if (!this.started) return;
    if (this.cached !== undefined && stat.mzxid <= this.cached.mzxid) return;
    this.cached = { value, version: stat.version, mzxid: stat.mzxid };
    this.emit('change', { value, version: stat.version });
  }

  private readonly onEvent = (event: WatchEvent): void => {
    if (this.started && (event.type === 'NodeDataChanged' || event.type === 'NodeCreated')) this.refresh();
  };

  private refresh(): void {
    this.read().catch((error: unknown) => {
      if (!isConnectionLoss(error) && this.started) this.emit('error', error);
    });
  }
}
