import type { KeeperError } from '../errors/keeper-error.js';

/**
 * The durable and error listeners of a storage. Every listener hears every event even when an
 * earlier one throws; the first exception is rethrown after all were called.
 */
export class StorageListeners {
  private readonly durableListeners = new Set<(ticket: number) => void>();
  private readonly errorListeners = new Set<(error: KeeperError) => void>();

  addDurable(listener: (ticket: number) => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  addError(listener: (error: KeeperError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  durable(ticket: number): void {
    callAll(this.durableListeners, ticket);
  }

  error(error: KeeperError): void {
    callAll(this.errorListeners, error);
  }
}

function callAll<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  let thrown: { readonly error: unknown } | null = null;
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (error) {
      thrown ??= { error };
    }
  }
  if (thrown !== null) throw thrown.error;
}
