import { describe, expect, it } from 'vitest';
import { GroupMembership, type Member } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ids = (members: readonly Member[]): string[] => members.map((member) => member.id);

describe('GroupMembership', () => {
  it('members join, see each other with their data, and see who leaves', async () => {
    const w = await world();
    const alice = new GroupMembership(await w.connect(0), '/groups/chat', { id: 'alice', data: 'Alice' });
    const bob = new GroupMembership(await w.connect(1), '/groups/chat', { id: 'bob', data: 'Bob' });
    const aliceSaw: string[] = [];
    alice.on('joined', (member) => aliceSaw.push(`joined ${member.id}`));
    alice.on('left', (member) => aliceSaw.push(`left ${member.id}`));
    await alice.join();
    expect(ids(alice.members())).toEqual(['alice']);
    expect(alice.isMember()).toBe(true);
    await bob.join();
    expect(ids(bob.members())).toEqual(['alice', 'bob']);
    expect(bob.members().map((member) => text(member.data))).toEqual(['Alice', 'Bob']);
    await until(() => alice.members().length === 2);
    expect(ids(await alice.list())).toEqual(['alice', 'bob']);
    await bob.leave();
    await until(() => alice.members().length === 1);
    expect(aliceSaw).toEqual(['joined alice', 'joined bob', 'left bob']);
    expect(bob.state).toBe('left');
    expect(bob.members()).toEqual([]);
  });

  it('setData shows up in everyone\'s view as a changed event', async () => {
    const w = await world();
    const a = new GroupMembership(await w.connect(0), '/groups/status', { id: 'a', data: 'idle' });
    const b = new GroupMembership(await w.connect(1), '/groups/status', { id: 'b' });
    await a.join();
    await b.join();
    const changes: string[] = [];
    b.on('changed', (member, previous) => changes.push(`${member.id} ${text(previous.data)}->${text(member.data)}`));
    await a.setData('busy');
    await until(() => changes.length === 1);
    expect(changes).toEqual(['a idle->busy']);
  });

  it('an id held by another session is refused with NODEEXISTS; joining twice is APIERROR', async () => {
    const w = await world();
    const first = new GroupMembership(await w.connect(0), '/groups/ids', { id: 'same' });
    const second = new GroupMembership(await w.connect(1), '/groups/ids', { id: 'same' });
    await first.join();
    await expect(second.join()).rejects.toMatchObject({ codeName: 'NODEEXISTS' });
    await expect(first.join()).rejects.toMatchObject({ codeName: 'APIERROR' });
    expect(ids(await first.list())).toEqual(['same']);
    expect(() => new GroupMembership(first.client, '/groups/ids', { id: 'a/b' })).toThrow();
  });

  it('a member whose node is deleted by someone else makes it again', async () => {
    const w = await world();
    const admin = await w.connect(2);
    const member = new GroupMembership(await w.connect(0), '/groups/persist', { id: 'm', data: 'me' });
    const events: string[] = [];
    member.on('joined', (m) => events.push(`joined ${m.id}`));
    member.on('left', (m) => events.push(`left ${m.id}`));
    await member.join();
    await admin.delete(member.nodePath);
    await until(() => events.length === 3);
    expect(events).toEqual(['joined m', 'left m', 'joined m']);
    expect(text((await admin.getData(member.nodePath)).data)).toBe('me');
  });
});

describe('GroupMembership under faults', () => {
  it("a member whose replica is partitioned away is uncertain, then reconnected; the others never see it leave", async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const member = new GroupMembership(await w.connect(replica), '/groups/partition', { id: 'away' });
    const watcher = new GroupMembership(await w.connect(others[0]), '/groups/partition', { id: 'watcher' });
    const events: string[] = [];
    member.on('uncertain', () => events.push('uncertain'));
    member.on('reconnected', () => events.push('reconnected'));
    const left: string[] = [];
    watcher.on('left', (m) => left.push(m.id));
    await member.join();
    await watcher.join();
    w.ensemble.partition([[replica], others]);
    await until(() => events.length === 2);
    expect(events).toEqual(['uncertain', 'reconnected']);
    expect(member.isMember()).toBe(true);
    expect(left).toEqual([]);
    w.ensemble.heal();
  });

  it('a member whose session expires is lost to itself and leaves everyone else\'s view', async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const memberClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const member = new GroupMembership(memberClient, '/groups/expiry', { id: 'doomed' });
    const watcher = new GroupMembership(observer, '/groups/expiry', { id: 'watcher' });
    const lost: string[] = [];
    member.on('lost', (reason) => lost.push(reason.codeName));
    await member.join();
    await watcher.join();
    await w.expire(memberClient, replica, observer, member.nodePath);
    await until(() => ids(watcher.members()).join() === 'watcher');
    expect(lost[0]).toBe('SESSIONEXPIRED');
    expect(member.isMember()).toBe(false);
  });

  it('an aborted join leaves no member node behind', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const controller = new AbortController();
    controller.abort(new Error('never mind'));
    const member = new GroupMembership(zk, '/groups/aborted', { id: 'x' });
    await expect(member.join({ signal: controller.signal })).rejects.toThrow('never mind');
    expect(await zk.exists('/groups/aborted/x')).toBeNull();
  });
});
