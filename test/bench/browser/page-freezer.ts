import type { CDPSession, Page } from 'playwright-core';
import { nodeStamp } from './stamp.js';

/**
 * Freezes a tab as a browser freezes a background tab: the page goes to the Page Lifecycle state
 * 'frozen' (no tasks, no timers), and its dedicated workers (the replica's) stop too: each is paused
 * in its debugger, reached over the page's CDP session (Target auto-attach, messages wrapped in
 * Target.sendMessageToTarget). Unfreezing resumes the workers, then the page.
 */

interface Frozen {
  readonly session: CDPSession;
  readonly workers: string[];
}

export class PageFreezer {
  private readonly sessions = new Map<Page, CDPSession>();
  private readonly workers = new Map<Page, Map<string, string>>();
  private readonly frozen = new Map<Page, Frozen>();
  private nextId = 1_000_000;

  /** Freezes `page` and its workers; returns the Node stamp taken just before. */
  async freeze(page: Page): Promise<number> {
    const session = await this.sessionOf(page);
    const workers = [...(this.workers.get(page)?.values() ?? [])];
    const at = nodeStamp();
    await Promise.all(workers.map((sessionId) => this.toWorker(session, sessionId, 'Debugger.pause')));
    await session.send('Page.setWebLifecycleState', { state: 'frozen' });
    this.frozen.set(page, { session, workers });
    return at;
  }

  async unfreeze(page: Page): Promise<void> {
    const frozen = this.frozen.get(page);
    if (frozen === undefined) return;
    this.frozen.delete(page);
    await Promise.all(frozen.workers.map((sessionId) => this.toWorker(frozen.session, sessionId, 'Debugger.resume')));
    await frozen.session.send('Page.setWebLifecycleState', { state: 'active' });
  }

  async close(): Promise<void> {
    for (const page of [...this.frozen.keys()]) await this.unfreeze(page).catch(() => undefined);
    for (const session of this.sessions.values()) await session.detach().catch(() => undefined);
    this.sessions.clear();
  }

  private async sessionOf(page: Page): Promise<CDPSession> {
    const known = this.sessions.get(page);
    if (known !== undefined) return known;
    const session = await page.context().newCDPSession(page);
    const workers = new Map<string, string>();
    this.workers.set(page, workers);
    session.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type !== 'worker') return;
      workers.set(event.targetInfo.targetId, event.sessionId);
      void this.toWorker(session, event.sessionId, 'Debugger.enable').catch(() => undefined);
    });
    session.on('Target.detachedFromTarget', (event) => {
      for (const [targetId, sessionId] of workers) if (sessionId === event.sessionId) workers.delete(targetId);
    });
    await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    // The attach events of workers that already run arrive right after.
    for (let i = 0; i < 50 && workers.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    this.sessions.set(page, session);
    page.once('close', () => {
      this.sessions.delete(page);
      this.workers.delete(page);
      this.frozen.delete(page);
    });
    return session;
  }

  /** Sends a command to a worker through the page session (non-flat Target protocol). */
  private async toWorker(session: CDPSession, sessionId: string, method: string): Promise<void> {
    const id = this.nextId++;
    await session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
  }
}
