import type { CDPSession, Page } from 'playwright-core';

/**
 * V8 CPU profiles of a page and of its dedicated workers (the replica's), over CDP: the page's own
 * session for the page, and for each worker the non-flat Target protocol through that session
 * (Target.setAutoAttach, then messages wrapped in Target.sendMessageToTarget and answered in
 * Target.receivedMessageFromTarget events).
 */

/** Chromium's .cpuprofile format (what DevTools loads). */
export interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface TabProfiles {
  readonly page: CpuProfile;
  readonly workers: readonly CpuProfile[];
}

export class TabProfiler {
  private readonly workers = new Map<string, string>();
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  private constructor(private readonly session: CDPSession) {}

  static async attach(page: Page, samplingIntervalUs = 200): Promise<TabProfiler> {
    const session = await page.context().newCDPSession(page);
    const profiler = new TabProfiler(session);
    session.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type === 'worker') profiler.workers.set(event.targetInfo.targetId, event.sessionId);
    });
    session.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = profiler.pending.get(message.id);
      profiler.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
    await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    for (let i = 0; i < 50 && profiler.workers.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    for (const sessionId of profiler.workers.values()) {
      await profiler.toWorker(sessionId, 'Profiler.enable');
      await profiler.toWorker(sessionId, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    }
    return profiler;
  }

  async start(): Promise<void> {
    await this.session.send('Profiler.start');
    for (const sessionId of this.workers.values()) await this.toWorker(sessionId, 'Profiler.start');
  }

  async stop(): Promise<TabProfiles> {
    const page = (await this.session.send('Profiler.stop')).profile as unknown as CpuProfile;
    const workers: CpuProfile[] = [];
    for (const sessionId of this.workers.values()) workers.push(((await this.toWorker(sessionId, 'Profiler.stop')) as { profile: CpuProfile }).profile);
    return { page, workers };
  }

  async detach(): Promise<void> {
    await this.session.detach().catch(() => undefined);
  }

  private toWorker(sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const answered = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    void this.session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    return answered;
  }
}

/** Self and total time per function (ms), heaviest self time first. */
export function heaviestFunctions(profile: CpuProfile, limit = 25): { name: string; selfMs: number; totalMs: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  const label = (id: number) => {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return '?';
    const file = frame.url.split('/').pop()?.split('?')[0] ?? '';
    return `${frame.functionName || '(anonymous)'} ${file}${file === '' ? '' : `:${frame.lineNumber + 1}`}`;
  };
  const selfByName = new Map<string, number>();
  const totalByName = new Map<string, number>();
  for (const [id, ms] of self) {
    selfByName.set(label(id), (selfByName.get(label(id)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(at);
      if (seen.has(name)) continue;
      seen.add(name);
      totalByName.set(name, (totalByName.get(name) ?? 0) + ms);
    }
  }
  return [...selfByName.entries()]
    .map(([name, selfMs]) => ({ name, selfMs, totalMs: totalByName.get(name) ?? selfMs }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}

/** Total time per function including callees (ms), heaviest first. */
export function heaviestTotals(profile: CpuProfile, limit = 40): { name: string; totalMs: number }[] {
  const all = heaviestFunctions(profile, Number.POSITIVE_INFINITY);
  return all.sort((a, b) => b.totalMs - a.totalMs).slice(0, limit).map(({ name, totalMs }) => ({ name, totalMs }));
}
