/** Counters of the signaling server, rendered for GET /metrics as Prometheus text or JSON. */
import type { SignalingErrorCode } from '../src/transport/signaling-protocol.js';

export interface SignalingGauges {
  readonly connections: number;
  readonly rooms: number;
  readonly foundedRooms: number;
  readonly peers: number;
}

export interface SignalingMetricsSnapshot extends SignalingGauges {
  readonly messagesReceived: number;
  readonly messagesRelayed: number;
  readonly bytesRelayed: number;
  readonly joins: number;
  readonly foundings: number;
  readonly rejects: Readonly<Partial<Record<SignalingErrorCode, number>>>;
}

export class SignalingMetrics {
  messagesReceived = 0;
  messagesRelayed = 0;
  bytesRelayed = 0;
  joins = 0;
  foundings = 0;
  private readonly rejectCounts = new Map<SignalingErrorCode, number>();

  reject(code: SignalingErrorCode): void {
    this.rejectCounts.set(code, (this.rejectCounts.get(code) ?? 0) + 1);
  }

  snapshot(gauges: SignalingGauges): SignalingMetricsSnapshot {
    const rejects: Partial<Record<SignalingErrorCode, number>> = {};
    for (const [code, count] of [...this.rejectCounts].sort(([a], [b]) => (a < b ? -1 : 1))) rejects[code] = count;
    return {
      ...gauges,
      messagesReceived: this.messagesReceived,
      messagesRelayed: this.messagesRelayed,
      bytesRelayed: this.bytesRelayed,
      joins: this.joins,
      foundings: this.foundings,
      rejects,
    };
  }
}

/** Prometheus text exposition format 0.0.4. */
export function renderPrometheus(snapshot: SignalingMetricsSnapshot): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number): void => {
    lines.push(`# HELP meshkeeper_signaling_${name} ${help}`, `# TYPE meshkeeper_signaling_${name} ${type}`, `meshkeeper_signaling_${name} ${value}`);
  };
  metric('connections', 'gauge', 'Open WebSocket connections.', snapshot.connections);
  metric('rooms', 'gauge', 'Rooms with at least one peer.', snapshot.rooms);
  metric('founded_rooms', 'gauge', 'Founding records held.', snapshot.foundedRooms);
  metric('peers', 'gauge', 'Peers joined to rooms.', snapshot.peers);
  metric('messages_received_total', 'counter', 'Frames received from clients.', snapshot.messagesReceived);
  metric('messages_relayed_total', 'counter', 'Signals relayed to a peer.', snapshot.messagesRelayed);
  metric('bytes_relayed_total', 'counter', 'Sealed signal characters relayed.', snapshot.bytesRelayed);
  metric('joins_total', 'counter', 'Successful joins.', snapshot.joins);
  metric('foundings_total', 'counter', 'Rooms founded.', snapshot.foundings);
  lines.push('# HELP meshkeeper_signaling_rejects_total Requests refused, by reason.', '# TYPE meshkeeper_signaling_rejects_total counter');
  for (const [reason, count] of Object.entries(snapshot.rejects)) {
    lines.push(`meshkeeper_signaling_rejects_total{reason="${reason}"} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}
