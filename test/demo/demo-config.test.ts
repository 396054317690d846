import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_ROOM, DEFAULT_DEMO_SECRET, demoConfig } from '../../src/demo/demo-config.js';
import { axisTopMs, summarizeLatency } from '../../src/demo/latency-stats.js';

const page = { protocol: 'http:', hostname: 'example.test' };

describe('demo config', () => {
  it('the room, secret and signaling server come from the address, else the build, else port 4444 of the page', () => {
    expect(demoConfig('', page, '')).toEqual({ room: DEFAULT_DEMO_ROOM, secret: DEFAULT_DEMO_SECRET, signaling: 'ws://example.test:4444', pbkdf2Iterations: null });
    expect(demoConfig('', { protocol: 'https:', hostname: 'h' }, '').signaling).toBe('wss://h:4444');
    expect(demoConfig('', page, 'ws://127.0.0.1:4445/').signaling).toBe('ws://127.0.0.1:4445/');
    expect(demoConfig('?room=r1&secret=s&signaling=wss%3A%2F%2Fsig.example%2F&pbkdf2=20000', page, 'ws://built/')).toEqual({
      room: 'r1',
      secret: 's',
      signaling: 'wss://sig.example/',
      pbkdf2Iterations: 20_000,
    });
  });

  it('a bad value falls back to the default', () => {
    expect(demoConfig(`?room=${'x'.repeat(257)}&signaling=http://no&pbkdf2=5`, page, '')).toEqual({
      room: DEFAULT_DEMO_ROOM,
      secret: DEFAULT_DEMO_SECRET,
      signaling: 'ws://example.test:4444',
      pbkdf2Iterations: null,
    });
    expect(demoConfig('?room=%20%20&pbkdf2=1.5', page, '')).toMatchObject({ room: DEFAULT_DEMO_ROOM, pbkdf2Iterations: null });
  });
});

describe('latency summary', () => {
  const sample = (latencyMs: number, error: string | null = null) => ({ atMs: 0, latencyMs, error });

  it('quantiles are of the successful writes; failures are counted apart', () => {
    const samples = [sample(5), sample(1), sample(9), sample(3), sample(100, 'CONNECTIONLOSS'), sample(7)];
    expect(summarizeLatency(samples)).toEqual({ count: 6, failures: 1, lastMs: 7, medianMs: 5, p95Ms: 9, maxMs: 9 });
    expect(summarizeLatency([])).toEqual({ count: 0, failures: 0, lastMs: null, medianMs: null, p95Ms: null, maxMs: null });
  });

  it('the axis top is a round number above every successful sample, at least 10 ms', () => {
    expect(axisTopMs([])).toBe(10);
    expect(axisTopMs([sample(12)])).toBe(20);
    expect(axisTopMs([sample(12), sample(900, 'CONNECTIONLOSS')])).toBe(20);
    expect(axisTopMs([sample(480)])).toBe(500);
    expect(axisTopMs([sample(70_001)])).toBe(80_000);
  });
});
