import { afterEach } from 'vitest';
import { MeshKeeperClient, type Watcher, type WatchEvent } from '../../src/index.js';
import { createTestEnsemble, type ConnectOptions, type TestEnsemble } from '../../src/testing/index.js';

/** The session timeout recipe tests ask for: short, so expiry tests stay fast. */
export const SESSION_MS = 1_000;

/**
 * One test's world: a 3-voter ensemble with short timeouts (sessions of 1 s; a replica without a
 * leader drops its clients after 300 ms), and the clients it made, all closed after the test.
 */
export class World {
  readonly clients: MeshKeeperClient[] = [];
  private constructor(readonly ensemble: TestEnsemble) {}

  static async create(): Promise<World> {
    const ensemble = await createTestEnsemble({ voters: 3, sessionTimeouts: { minMs: 200 }, options: { leaderlessGraceMs: 300 } });
    await ensemble.waitForLeader();
    return new World(ensemble);
  }

  /** A client whose endpoints are every replica, `replica` first (it moves on when that one fails). */
  async connect(replica?: number, options: ConnectOptions = {}): Promise<MeshKeeperClient> {
    const client = await this.ensemble.connect({
      sessionTimeoutMs: SESSION_MS,
      reconnectDelayMs: 50,
      ...(replica === undefined ? {} : { replica }),
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  /** A client that only knows `replica` (it cannot move away: cut that replica off and its session expires). */
  async pinned(replica: number): Promise<MeshKeeperClient> {
    const client = await MeshKeeperClient.connect(
      { endpoints: [() => Promise.resolve(this.ensemble.openConnection({ replica }))], sessionTimeoutMs: SESSION_MS, reconnectDelayMs: 50 },
      { timeoutMs: 10_000 },
    );
    this.clients.push(client);
    return client;
  }

  /** A replica that is not leading now. */
  follower(): number {
    const leader = this.ensemble.leader();
    return [0, 1, 2].find((index) => index !== leader) ?? 0;
  }

  /**
   * Expires the session of `client`, pinned to `replica`: the replica freezes (the client cannot
   * reach the ensemble) until `observer` sees that `ephemeral` is gone (the leader expired the
   * session), then thaws and the client learns EXPIRED.
   */
  async expire(client: MeshKeeperClient, replica: number, observer: MeshKeeperClient, ephemeral: string): Promise<void> {
    this.ensemble.pause(replica);
    await until(async () => (await observer.exists(ephemeral)) === null, 10_000);
    this.ensemble.resume(replica);
    await client.waitForState('EXPIRED', { timeoutMs: 10_000 });
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.splice(0).map((client) => client.close()));
    await this.ensemble.close();
  }
}

/** A World per test, closed after it. */
export function useWorld(): () => Promise<World> {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return async () => {
    world = await World.create();
    return world;
  };
}

/** Polls `condition` every 10 ms until it holds (rejects after `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** What a counting client saw: reads that left a watch, and node events delivered to those watches. */
export interface WatchCounts {
  watchedReads: { method: string; path: string }[];
  nodeEvents: WatchEvent[];
}

/**
 * The real client seen through a Proxy that counts the reads that leave a watch and the node events
 * their watchers receive (so a test can tell a herd from a chain). Everything else goes straight through.
 */
export function countingClient(client: MeshKeeperClient): { client: MeshKeeperClient; counts: WatchCounts } {
  const counts: WatchCounts = { watchedReads: [], nodeEvents: [] };
  const wrapped = new WeakMap<object, Watcher>();
  const wrap = (watcher: Watcher): Watcher => {
    let inner = wrapped.get(watcher);
    if (inner === undefined) {
      inner = (event: WatchEvent) => {
        if (event.type !== 'None' && !event.type.endsWith('WatchRemoved')) counts.nodeEvents.push(event);
        if (typeof watcher === 'function') watcher(event);
        else watcher.process(event);
      };
      wrapped.set(watcher, inner);
    }
    return inner;
  };
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'getData' || property === 'exists' || property === 'getChildren') {
        return (path: string, options?: { watch?: unknown }) => {
          const watch = options?.watch;
          if (watch === undefined || watch === false) return method.call(target, path, options);
          counts.watchedReads.push({ method: property, path });
          const next = typeof watch === 'function' || typeof watch === 'object' ? wrap(watch as Watcher) : watch;
          return method.call(target, path, { ...options, watch: next });
        };
      }
      if (property === 'addWatch') {
        return (path: string, mode: unknown, watcher?: Watcher) => method.call(target, path, mode, watcher === undefined ? undefined : wrap(watcher));
      }
      if (property === 'removeWatches') {
        return (path: string, watcher: Watcher | null, ...rest: unknown[]) =>
          method.call(target, path, watcher === null ? null : (wrapped.get(watcher) ?? watcher), ...rest);
      }
      return method.bind(target);
    },
  });
  return { client: proxy, counts };
}
