import { describe, expect, it } from 'vitest';
import { isPending } from './history.js';
import { HistoryRecorder } from './recorder.js';

describe('history recorder', () => {
  it('a completed call carries its output and return time; an uncompleted one is pending', () => {
    const recorder = new HistoryRecorder<string, number>();
    const first = recorder.invoke(1, 'a', 0);
    recorder.invoke(2, 'b', 1);
    recorder.complete(first, 42, 3);
    const [done, open] = recorder.operations();
    expect(done).toEqual({ clientId: 1, input: 'a', output: 42, callTime: 0, returnTime: 3 });
    expect(isPending(open!)).toBe(true);
    expect(open).toEqual({ clientId: 2, input: 'b', callTime: 1 });
  });

  it('a call completes once, never before it was made', () => {
    const recorder = new HistoryRecorder<string, number>();
    const handle = recorder.invoke(1, 'a', 5);
    expect(() => recorder.complete(handle, 1, 4)).toThrow(/before its call/);
    recorder.complete(handle, 1, 6);
    expect(() => recorder.complete(handle, 1, 7)).toThrow(/already completed/);
  });

  it('is bounded', () => {
    const recorder = new HistoryRecorder<string, number>(2);
    recorder.invoke(1, 'a', 0);
    recorder.invoke(1, 'b', 0);
    expect(recorder.hasRoom).toBe(false);
    expect(() => recorder.invoke(1, 'c', 0)).toThrow(/full/);
  });
});
