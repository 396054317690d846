import { createBroadcastTransport } from '../../../src/transport/broadcast-transport.js';
import { linkFromHandoff } from '../../../src/transport/channel-handoff.js';
import type { Link } from '../../../src/transport/link.js';
import { makeFrame, summarizeFrame, type FrameSummary } from './frame-pattern.js';
import type { WorkerCommand, WorkerReply } from './transport-page-api.js';

// The replica's side in the browser tests: links live here, in a module worker, as they will in meshkeeper.

interface Held {
  link: Link | undefined;
  readonly frames: FrameSummary[];
  readonly waiters: (() => void)[];
}

const held = new Map<string, Held>();

function entry(name: string): Held {
  let found = held.get(name);
  if (found === undefined) {
    found = { link: undefined, frames: [], waiters: [] };
    held.set(name, found);
  }
  return found;
}

function wake(found: Held): void {
  for (const waiter of found.waiters.splice(0)) waiter();
}

function hold(name: string, link: Link): void {
  const found = entry(name);
  found.link = link;
  link.onFrame((frame) => {
    found.frames.push(summarizeFrame(frame));
    wake(found);
  });
  link.onClose(() => wake(found));
  wake(found);
}

async function until(name: string, condition: (found: Held) => boolean): Promise<Held> {
  const found = entry(name);
  while (!condition(found)) await new Promise<void>((resolve) => found.waiters.push(resolve));
  return found;
}

const linkOf = async (name: string) => (await until(name, (found) => found.link !== undefined)).link as Link;

async function run(command: WorkerCommand): Promise<WorkerReply> {
  switch (command.op) {
    case 'send': {
      const link = await linkOf(command.link);
      return { op: 'send', results: command.frames.map(([length, seed]) => link.send(makeFrame(length, seed))) };
    }
    case 'receive': {
      const found = await until(command.link, (candidate) => candidate.frames.length >= command.count || candidate.link?.closed === true);
      return { op: 'receive', frames: found.frames.splice(0, command.count) };
    }
    case 'close':
      (await linkOf(command.link)).close(command.reason);
      return { op: 'close' };
    case 'closed': {
      const found = await until(command.link, (candidate) => candidate.link?.closed === true);
      return { op: 'closed', reason: found.link?.closeReason ?? '' };
    }
    case 'kind': {
      const link = await linkOf(command.link);
      return { op: 'kind', kind: link.kind, peer: link.peer };
    }
    case 'broadcast': {
      const transport = createBroadcastTransport({ room: command.room, self: command.self, maxFrameBytes: 4 * 1024 * 1024 });
      transport.onLink((link) => hold(`broadcast:${link.peer}`, link));
      transport.setWanted(command.wanted);
      return { op: 'broadcast', instance: transport.instance };
    }
  }
}

self.onmessage = (event: MessageEvent) => {
  const link = linkFromHandoff(event.data);
  if (link !== undefined) {
    hold(link.id, link);
    return;
  }
  const { call, command } = event.data as { call: number; command: WorkerCommand };
  run(command).then(
    (reply) => self.postMessage({ call, reply }),
    (error: unknown) => self.postMessage({ call, reply: { op: 'error', message: String(error) } satisfies WorkerReply }),
  );
};
