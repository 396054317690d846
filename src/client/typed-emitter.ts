/**
 * A small typed event emitter (no Node `events`: the client runs in browsers). `Events` maps each
 * event name to its listener's argument tuple.
 */
export class TypedEmitter<Events extends { [name: string]: readonly unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<unknown>>();

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => this.off(name, listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): () => void {
    const off = this.on(name, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener added with `on`. */
  off<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): void {
    this.listeners.get(name)?.delete(listener);
  }

  /** How many listeners an event has. */
  listenerCount(name: keyof Events): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /**
   * Calls every listener of `name` in the order they were added (a snapshot: listeners added during
   * the call wait for the next emit). A listener that throws does not stop the others; its error
   * goes to `onListenerError`.
   */
  emit<Name extends keyof Events>(name: Name, args: Events[Name], onListenerError: (error: unknown) => void): void {
    const set = this.listeners.get(name);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as (...args: Events[Name]) => void)(...args);
      } catch (error) {
        onListenerError(error);
      }
    }
  }
}
