import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * A ReactiveControllerHost without a DOM, run as Lit runs one: `connect()` is hostConnected,
 * every `requestUpdate()` schedules one update (hostUpdate, then hostUpdated) in a microtask.
 * `until(condition)` waits for the controllers' state to get there.
 */
export class TestHost implements ReactiveControllerHost {
  readonly controllers = new Set<ReactiveController>();
  updates = 0;
  private pending = false;
  private resolveUpdate: () => void = () => undefined;
  updateComplete: Promise<boolean> = Promise.resolve(true);

  addController(controller: ReactiveController): void {
    this.controllers.add(controller);
  }

  removeController(controller: ReactiveController): void {
    this.controllers.delete(controller);
  }

  requestUpdate(): void {
    if (this.pending) return;
    this.pending = true;
    this.updateComplete = new Promise<boolean>((resolve) => {
      this.resolveUpdate = () => resolve(true);
    });
    queueMicrotask(() => this.update());
  }

  connect(): void {
    for (const controller of this.controllers) controller.hostConnected?.();
    this.requestUpdate();
  }

  disconnect(): void {
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }

  /** Resolves once `condition` holds after an update; rejects after timeoutMs with `what`. */
  async until(condition: () => boolean, what = 'the condition', timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private update(): void {
    this.pending = false;
    // A controller may ask for another update during this one: that one gets its own promise.
    const resolve = this.resolveUpdate;
    for (const controller of this.controllers) controller.hostUpdate?.();
    this.updates += 1;
    for (const controller of this.controllers) controller.hostUpdated?.();
    resolve();
  }
}
