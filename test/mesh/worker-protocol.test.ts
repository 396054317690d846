import { describe, expect, it } from 'vitest';
import { parsePageMessage } from '../../src/mesh/worker-protocol.js';

describe('worker protocol', () => {
  it('well-formed page messages are accepted as they are', () => {
    expect(parsePageMessage({ type: 'mk:init', room: 'r', replicaId: 'd-0', deviceId: 'd' })).toEqual({ type: 'mk:init', room: 'r', replicaId: 'd-0', deviceId: 'd', options: {} });
    expect(parsePageMessage({ type: 'mk:founding', founder: true })).toEqual({ type: 'mk:founding', founder: true });
    expect(parsePageMessage({ type: 'mk:roster', peers: ['a-0', 'b-1'] })).toEqual({ type: 'mk:roster', peers: ['a-0', 'b-1'] });
    expect(parsePageMessage({ type: 'mk:leave', timeoutMs: 500 })).toEqual({ type: 'mk:leave', timeoutMs: 500 });
    expect(parsePageMessage({ type: 'mk:status', call: 3 })).toEqual({ type: 'mk:status', call: 3 });
    expect(parsePageMessage({ type: 'mk:freeze', durationMs: 5_000 })).toEqual({ type: 'mk:freeze', durationMs: 5_000 });
    const { port1 } = new MessageChannel();
    expect(parsePageMessage({ type: 'mk:client', port: port1 })).toMatchObject({ type: 'mk:client' });
    port1.close();
  });

  it('a malformed page message is refused with what is wrong', () => {
    expect(parsePageMessage(null)).toBe('not an object');
    expect(parsePageMessage({ type: 'mk:init', room: '', replicaId: 'x', deviceId: 'd' })).toMatch(/needs room, replicaId and deviceId/);
    expect(parsePageMessage({ type: 'mk:init', room: 'r', replicaId: 'x'.repeat(257), deviceId: 'd' })).toMatch(/1-256 characters/);
    expect(parsePageMessage({ type: 'mk:founding', founder: 'yes' })).toMatch(/boolean founder/);
    expect(parsePageMessage({ type: 'mk:roster', peers: Array.from({ length: 1025 }, (_, i) => `p-${i}`) })).toMatch(/at most 1024/);
    expect(parsePageMessage({ type: 'mk:roster', peers: [7] })).toMatch(/peer ids/);
    expect(parsePageMessage({ type: 'mk:client', port: {} })).toMatch(/MessagePort/);
    expect(parsePageMessage({ type: 'mk:leave', timeoutMs: -1 })).toMatch(/timeoutMs/);
    expect(parsePageMessage({ type: 'mk:leave', timeoutMs: 1e9 })).toMatch(/timeoutMs/);
    expect(parsePageMessage({ type: 'mk:status', call: 1.5 })).toMatch(/integer call/);
    expect(parsePageMessage({ type: 'mk:freeze', durationMs: 60_001 })).toMatch(/durationMs in \[0, 60000\]/);
    expect(parsePageMessage({ type: 'mk:freeze', durationMs: 0.5 })).toMatch(/integer durationMs/);
    expect(parsePageMessage({ type: 'mk:freeze' })).toMatch(/integer durationMs/);
    expect(parsePageMessage({ type: 'mk:launch-missiles' })).toMatch(/unknown message type/);
  });
});
