import { TypedEmitter } from '../client/typed-emitter.js';

/**
 * The event surface every recipe shares: `on` (returns the function that removes the listener),
 * `once`, `off`. A listener that throws does not stop the others; its error is logged.
 */
export class RecipeEmitter<Events extends { [name: string]: readonly unknown[] }> {
  private readonly emitter = new TypedEmitter<Events>();

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): () => void {
    return this.emitter.on(name, listener);
  }

  /** Adds a listener called once. */
  once<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): () => void {
    return this.emitter.once(name, listener);
  }

  /** Removes a listener. */
  off<Name extends keyof Events>(name: Name, listener: (...args: Events[Name]) => void): void {
    this.emitter.off(name, listener);
  }

  /** Calls the listeners of `name` in order. */
  protected emit<Name extends keyof Events>(name: Name, ...args: Events[Name]): void {
    this.emitter.emit(name, args, (error) => console.error(`meshkeeper recipe: a ${String(name)} listener threw`, error));
  }
}
