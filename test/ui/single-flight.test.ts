import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/ui/single-flight.js';

describe('single flight', () => {
  it('runs asked for during a run make it run once more after, and every caller waits for that run', async () => {
    const flight = new SingleFlight();
    let runs = 0;
    let release: () => void = () => undefined;
    const load = () => {
      runs += 1;
      return new Promise<void>((resolve) => (release = resolve));
    };
    let settled = 0;
    const first = flight.run('k', load, () => (settled += 1));
    const second = flight.run('k', load);
    const third = flight.run('k', load);
    expect(flight.size).toBe(1);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runs).toBe(2);
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second, third]);
    expect(runs).toBe(2);
    expect(settled).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('different keys run side by side, and a failed run settles its callers with the error', async () => {
    const flight = new SingleFlight();
    const order: string[] = [];
    await Promise.all([flight.run('a', async () => void order.push('a')), flight.run('b', async () => void order.push('b'))]);
    expect(order.sort()).toEqual(['a', 'b']);
    await expect(flight.run('c', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(flight.size).toBe(0);
  });
});
