import type { ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { GroupMembership, type Member } from '../../recipes/index.js';
import { RecipePanel } from './recipe-panel.js';

/** One member of the group as the panel shows it. */
export interface PresenceMember {
  readonly id: string;
  readonly mine: boolean;
  /** When it joined (its node's ctime). */
  readonly sinceMs: number;
}

/**
 * Group presence: every tab joins the GroupMembership at `path` (its id: the tab's name) as soon as
 * it is connected; the members are followed live and vanish with their tab (ephemeral nodes).
 */
export class PresencePanel extends RecipePanel {
  members: readonly PresenceMember[] = [];
  state = 'idle';
  private group: GroupMembership | null = null;

  constructor(
    host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    private readonly path: string,
    private readonly tabName: () => string,
  ) {
    super(host, client);
  }

  protected attach(client: MeshKeeperClient): () => void {
    const group = new GroupMembership(client, this.path, { id: this.tabName(), data: 'online' });
    this.group = group;
    const refresh = () => this.refresh();
    const offs = [
      group.on('joined', refresh),
      group.on('left', refresh),
      group.on('changed', refresh),
      group.on('uncertain', refresh),
      group.on('reconnected', refresh),
      group.on('lost', refresh),
      group.on('error', (error) => this.failed(error)),
    ];
    group.join().then(refresh, (error: unknown) => this.failed(error));
    return () => {
      for (const off of offs) off();
      this.group = null;
      this.members = [];
      void group.leave().catch(() => undefined);
    };
  }

  private refresh(): void {
    const group = this.group;
    if (group === null) return;
    this.state = group.state;
    this.members = group.members().map((member: Member) => ({ id: member.id, mine: member.id === group.id, sinceMs: member.stat.ctime }));
    this.update();
  }
}
