import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BrowserMesh } from '../browser/browser-mesh.js';
import { connect, meshOf } from '../browser/connect.js';
import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';
import type { DemoConfig } from './demo-config.js';

export type DemoPhase = 'connecting' | 'connected' | 'failed' | 'left';

/** How long connect() may take in the demo (a first tab founds the room; later ones catch up). */
export const DEMO_CONNECT_TIMEOUT_MS = 60_000;

/**
 * The demo page's connection: joins the room with connect(), holds the client and this tab's
 * mesh, and carries out the tab's buttons: freeze the replica for a while, or close it (the
 * client's session ends, the replica leaves the ensemble as a closing tab's does).
 */
export class DemoSession implements ReactiveController {
  phase: DemoPhase = 'connecting';
  client: MeshKeeperClient | undefined = undefined;
  mesh: BrowserMesh | undefined = undefined;
  error: string | null = null;
  /** The last error a watcher or listener of the client threw (shown, never thrown). */
  clientError: string | null = null;
  /** Date.now() until which this tab's replica is frozen; 0 when it is not. */
  frozenUntilMs = 0;
  private started = false;
  private thawTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly config: DemoConfig,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.started) return;
    this.started = true;
    void this.start();
  }

  hostDisconnected(): void {
    if (this.thawTimer !== null) clearTimeout(this.thawTimer);
    this.thawTimer = null;
  }

  get replicaId(): string {
    return this.mesh?.replicaId ?? '';
  }

  /** Freezes this tab's replica for `seconds` (as a browser freezes a hidden tab). */
  freeze(seconds: number): void {
    const mesh = this.mesh;
    if (mesh === undefined || this.phase !== 'connected') return;
    const durationMs = Math.round(seconds * 1_000);
    mesh.freeze(durationMs);
    this.frozenUntilMs = Date.now() + durationMs;
    if (this.thawTimer !== null) clearTimeout(this.thawTimer);
    this.thawTimer = setTimeout(() => {
      this.thawTimer = null;
      this.frozenUntilMs = 0;
      this.host.requestUpdate();
    }, durationMs);
    this.host.requestUpdate();
  }

  /** Closes this tab's replica: the session ends (its ephemeral nodes go), then the replica leaves. */
  async closeReplica(): Promise<void> {
    if (this.phase !== 'connected') return;
    this.phase = 'left';
    this.host.requestUpdate();
    await this.client?.close().catch(() => undefined);
    await this.mesh?.leave().catch(() => undefined);
    this.host.requestUpdate();
  }

  private async start(): Promise<void> {
    const { room, signaling, secret, pbkdf2Iterations } = this.config;
    try {
      const client = await connect({
        room,
        signaling,
        secret,
        connectTimeoutMs: DEMO_CONNECT_TIMEOUT_MS,
        // Peers' zxids in the ensemble view are at most a second old.
        presenceRefreshMs: 1_000,
        ...(pbkdf2Iterations === null ? {} : { signalingOptions: { pbkdf2Iterations } }),
        log: (line) => console.debug(`[meshkeeper] ${line}`),
      });
      // Errors of watchers and listeners are shown in the page, not thrown into the console.
      client.on('error', (error) => {
        this.clientError = error instanceof Error ? error.message : String(error);
        this.host.requestUpdate();
      });
      this.client = client;
      this.mesh = await meshOf(room);
      this.phase = 'connected';
    } catch (error) {
      this.phase = 'failed';
      this.error = isKeeperError(error) ? `${error.codeName}: ${error.message}` : error instanceof Error ? error.message : String(error);
    }
    this.host.requestUpdate();
  }
}
