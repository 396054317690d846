import { MeshKeeperClient } from '../../src/client/client.js';
import type { MeshKeeperClientOptions } from '../../src/client/client-options.js';
import type { WatchEvent } from '../../src/client/watcher.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { ErrorCodeName } from '../../src/errors/error-code.js';
import { expect } from 'vitest';
import type { TreeEnsemble } from './tree-replica.js';

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A client of the tree ensemble, connected. */
export async function connectTo(
  ensemble: TreeEnsemble,
  options: Partial<MeshKeeperClientOptions> = {},
): Promise<MeshKeeperClient> {
  return MeshKeeperClient.connect({ endpoints: ensemble.endpoints(), reconnectDelayMs: 1, ...options });
}

/** The KeeperError a promise rejects with; fails the test when it resolves or throws something else. */
export async function rejection(promise: Promise<unknown>, codeName?: ErrorCodeName): Promise<import('../../src/errors/keeper-error.js').KeeperError> {
  try {
    await promise;
  } catch (error) {
    if (!isKeeperError(error)) throw error;
    if (codeName !== undefined) expect(error.codeName).toBe(codeName);
    return error;
  }
  throw new Error(`expected a rejection${codeName === undefined ? '' : ` with ${codeName}`}, but it resolved`);
}

/** A watcher that records what it receives, as `type path` strings (and the events themselves). */
export function recorder(): { (event: WatchEvent): void; seen: string[]; events: WatchEvent[] } {
  const seen: string[] = [];
  const events: WatchEvent[] = [];
  const watcher = Object.assign(
    (event: WatchEvent) => {
      events.push(event);
      seen.push(event.type === 'None' ? `None ${event.state}` : `${event.type} ${event.path}`);
    },
    { seen, events },
  );
  return watcher;
}
