import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../signaling/room-registry.js';

const verifier = (fill: string): string => fill.repeat(42) + 'A';
const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mk-registry-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('room registry', () => {
  it('of concurrent foundings of one room exactly one wins, and the others see its record', async () => {
    const registry = await RoomRegistry.open(await freshDir(), { maxRooms: 10 });
    const results = await Promise.all(['e1', 'e2', 'e3', 'e4'].map((ensembleId) => registry.found('room', ensembleId, verifier('B'))));
    expect(results.filter((result) => result.kind === 'founded')).toHaveLength(1);
    const winner = results.find((result) => result.kind === 'founded');
    for (const result of results) {
      expect(result.kind === 'founded' || result.kind === 'exists').toBe(true);
      if ((result.kind === 'founded' || result.kind === 'exists') && winner?.kind === 'founded') {
        expect(result.record.ensembleId).toBe(winner.record.ensembleId);
      }
    }
    await registry.close();
  });

  it('a founded room survives reopening the data dir', async () => {
    const dir = await freshDir();
    const first = await RoomRegistry.open(dir, { maxRooms: 10 });
    await first.found('room/ä "quoted"', 'ensemble-1', verifier('C'));
    await first.found('__proto__', 'ensemble-2', verifier('D'));
    await first.close();
    const second = await RoomRegistry.open(dir, { maxRooms: 10 });
    expect(await second.durableRecord('room/ä "quoted"')).toMatchObject({ ensembleId: 'ensemble-1', verifier: verifier('C') });
    expect(await second.durableRecord('__proto__')).toMatchObject({ ensembleId: 'ensemble-2' });
    expect(await second.found('room/ä "quoted"', 'ensemble-9', verifier('E'))).toMatchObject({ kind: 'exists', record: { ensembleId: 'ensemble-1' } });
    await second.close();
  });

  it('writes atomically: no temp file is left, and leftovers of a crash are removed', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'rooms.json.999.1.tmp'), '{"half": ');
    const registry = await RoomRegistry.open(dir, { maxRooms: 100 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => registry.found(`room-${index}`, `e-${index}`, verifier('F'))));
    expect(results.every((result) => result.kind === 'founded')).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['rooms.json', 'server.lock']);
    const file = JSON.parse(await readFile(join(dir, 'rooms.json'), 'utf8')) as { rooms: unknown[] };
    expect(file.rooms).toHaveLength(20);
    await registry.close();
    expect(await readdir(dir)).toEqual(['rooms.json']);
  });

  it('refuses foundings beyond the room limit', async () => {
    const registry = await RoomRegistry.open(await freshDir(), { maxRooms: 2 });
    expect((await registry.found('a', 'e', verifier('G'))).kind).toBe('founded');
    expect((await registry.found('b', 'e', verifier('G'))).kind).toBe('founded');
    expect((await registry.found('c', 'e', verifier('G'))).kind).toBe('full');
    expect((await registry.found('a', 'x', verifier('G'))).kind).toBe('exists');
    await registry.close();
  });

  it('a founding whose record cannot be written is undone, and reported as failed', async () => {
    const dir = await freshDir();
    const registry = await RoomRegistry.open(dir, { maxRooms: 10 });
    // rooms.json turned into a non-empty directory: the rename onto it fails.
    await mkdir(join(dir, 'rooms.json', 'blocker'), { recursive: true });
    const concurrent = [registry.found('room', 'e1', verifier('H')), registry.found('room', 'e2', verifier('H'))];
    const results = await Promise.all(concurrent);
    expect(results.map((result) => result.kind)).toEqual(['failed', 'failed']);
    expect(registry.has('room')).toBe(false);
    expect(await registry.durableRecord('room')).toBeUndefined();
    await rm(join(dir, 'rooms.json'), { recursive: true });
    expect((await registry.found('room', 'e3', verifier('H'))).kind).toBe('founded');
    await registry.close();
  });

  it('one server per data dir', async () => {
    const dir = await freshDir();
    const registry = await RoomRegistry.open(dir, { maxRooms: 10 });
    await expect(RoomRegistry.open(dir, { maxRooms: 10 })).rejects.toThrow(/in use by process/);
    await registry.close();
    const reopened = await RoomRegistry.open(dir, { maxRooms: 10 });
    await reopened.close();
  });

  it('a stale lock of a dead process is taken over', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'server.lock'), '2147483646\n');
    const registry = await RoomRegistry.open(dir, { maxRooms: 10 });
    expect(await readFile(join(dir, 'server.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await registry.close();
  });

  it('a corrupt record file stops the server instead of forgetting every room', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'rooms.json'), '{"format":"meshkeeper-signaling-rooms","version":1,"rooms":[{"room":"r"}]}');
    await expect(RoomRegistry.open(dir, { maxRooms: 10 })).rejects.toThrow(/not a valid founding-record file/);
    await writeFile(join(dir, 'rooms.json'), 'garbage');
    await expect(RoomRegistry.open(dir, { maxRooms: 10 })).rejects.toThrow(/not a valid founding-record file/);
    // The failed opens released the lock.
    await rm(join(dir, 'rooms.json'));
    const registry = await RoomRegistry.open(dir, { maxRooms: 10 });
    await registry.close();
  });
});
