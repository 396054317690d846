/**
 * A controller's binding to the object it follows (a client, a mesh): read through a getter on
 * every host update, attached when it appears or changes, detached when it goes or the host
 * disconnects. `attach` returns the function that undoes it.
 */
export class BoundSource<T extends object> {
  private current: T | undefined = undefined;
  private detach: (() => void) | null = null;
  private connected = false;

  constructor(
    private readonly read: () => T | undefined,
    private readonly attach: (source: T) => () => void,
  ) {}

  /** The source attached now. */
  get value(): T | undefined {
    return this.current;
  }

  connect(): void {
    this.connected = true;
    this.sync();
  }

  disconnect(): void {
    this.connected = false;
    this.release();
  }

  /** Follows the getter: true when the source changed (and was re-attached). */
  sync(): boolean {
    if (!this.connected) return false;
    const next = this.read();
    if (next === this.current) return false;
    this.release();
    this.current = next;
    if (next !== undefined) this.detach = this.attach(next);
    return true;
  }

  private release(): void {
    const detach = this.detach;
    this.detach = null;
    this.current = undefined;
    detach?.();
  }
}
