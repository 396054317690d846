import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../client/client.js';
import type { ClientStateName } from '../client/client-state.js';
import { BoundSource } from './bound-source.js';

/** The session as a view shows it. */
export interface SessionView {
  /** 'NONE' until the host has a client. */
  readonly state: ClientStateName | 'NONE';
  /** The session id, hex; null without a session. */
  readonly sessionId: string | null;
  readonly sessionTimeoutMs: number | null;
}

const NO_SESSION: SessionView = { state: 'NONE', sessionId: null, sessionTimeoutMs: null };

/** Binds a host to a MeshKeeperClient's connection state (the `state` event). */
export class ClientController implements ReactiveController {
  /** The client's connection state and session, updated as they change. */
  session: SessionView = NO_SESSION;
  private readonly binding: BoundSource<MeshKeeperClient>;

  constructor(
    private readonly host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
  ) {
    this.binding = new BoundSource(client, (bound) => this.attach(bound));
    host.addController(this);
  }

  get client(): MeshKeeperClient | undefined {
    return this.binding.value;
  }

  hostConnected(): void {
    this.binding.connect();
  }

  hostUpdate(): void {
    this.binding.sync();
  }

  hostDisconnected(): void {
    this.binding.disconnect();
  }

  private attach(client: MeshKeeperClient): () => void {
    this.read(client);
    const off = client.on('state', () => {
      this.read(client);
      this.host.requestUpdate();
    });
    return () => {
      off();
      this.session = NO_SESSION;
      this.host.requestUpdate();
    };
  }

  private read(client: MeshKeeperClient): void {
    const sessionId = client.sessionId;
    this.session = {
      state: client.state,
      sessionId: sessionId === 0n ? null : sessionId.toString(16),
      sessionTimeoutMs: sessionId === 0n ? null : client.sessionTimeoutMs,
    };
  }
}
