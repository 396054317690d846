import { createClient, CreateMode, Event, Exception, type Client } from 'node-zookeeper-client';

/**
 * node-zookeeper-client's callbacks as promises, for the ZooKeeper side of the browser benchmark.
 * Errors reject with the client's Exception (its `name` is ZooKeeper's code, e.g. CONNECTION_LOSS).
 */

/** The pause before the client retries its server after losing it (the library's default is 1 s). */
export const ZOOKEEPER_SPIN_DELAY_MS = 50;

export function connectZookeeper(connectionString: string, sessionTimeoutMs: number, timeoutMs = 20_000): Promise<Client> {
  const client = createClient(connectionString, { sessionTimeout: sessionTimeoutMs, spinDelay: ZOOKEEPER_SPIN_DELAY_MS, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session from ${connectionString} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

export function codeOf(error: unknown): string {
  if (error instanceof Exception) return error.getName();
  return error instanceof Error ? error.message : String(error);
}

export function create(client: Client, path: string, data: Buffer, mode: number = CreateMode.PERSISTENT): Promise<string> {
  return new Promise((resolve, reject) => client.create(path, data, mode, (error, created) => (error ? reject(error) : resolve(created))));
}

/** Creates `path` unless it exists. */
export async function ensure(client: Client, path: string, data: Buffer): Promise<void> {
  try {
    await create(client, path, data);
  } catch (error) {
    if (!(error instanceof Exception && error.getCode() === Exception.NODE_EXISTS)) throw error;
  }
}

export function setData(client: Client, path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.setData(path, data, -1, (error) => (error ? reject(error) : resolve())));
}

export function getData(client: Client, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => client.getData(path, (error, data) => (error ? reject(error) : resolve(data))));
}

/** exists; with `watcher`, leaves a one-shot watch. Resolves with whether the node exists. */
export function exists(client: Client, path: string, watcher?: (event: Event) => void): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const callback = (error: Error | Exception | null, stat: unknown) => (error ? reject(error) : resolve(stat !== null && stat !== undefined));
    if (watcher === undefined) client.exists(path, callback);
    else client.exists(path, watcher, callback);
  });
}

export function closeZookeeper(client: Client): void {
  client.close();
}

export { CreateMode, Event };
