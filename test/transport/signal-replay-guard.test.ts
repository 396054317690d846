import { describe, expect, it } from 'vitest';
import { SignalReplayGuard } from '../../src/transport/signal-replay-guard.js';

describe('signal replay guard', () => {
  it('a sequence number at or below the last one of the same session is a replay', () => {
    const guard = new SignalReplayGuard();
    expect(guard.admit('bob', 's1', 0)).toBe('new-session');
    expect(guard.admit('bob', 's1', 1)).toBe('fresh');
    expect(guard.admit('bob', 's1', 1)).toBe('replayed');
    expect(guard.admit('bob', 's1', 0)).toBe('replayed');
    expect(guard.admit('bob', 's1', 5)).toBe('fresh'); // gaps are fine: signals to other peers share the counter
  });

  it('a new session of a sender starts over; senders are tracked apart', () => {
    const guard = new SignalReplayGuard();
    guard.admit('bob', 's1', 9);
    expect(guard.admit('bob', 's2', 0)).toBe('new-session');
    expect(guard.admit('carol', 's1', 0)).toBe('new-session');
    guard.forget('bob');
    expect(guard.knows('bob')).toBe(false);
    expect(guard.admit('bob', 's2', 0)).toBe('new-session');
  });
});
