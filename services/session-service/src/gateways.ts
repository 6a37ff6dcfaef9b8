// Which connection-gateways are alive: each publishes a heartbeat every 2 s on NATS.
import type { NatsConnection, Subscription } from 'nats';
import type { GatewayHeartbeat, Subjects } from '@mqfleet/core';

/** A gateway silent for longer than this is considered gone. */
export const GATEWAY_TIMEOUT_MS = 6000;

interface Seen extends GatewayHeartbeat {
  lastSeen: number;
}

export class GatewayRegistry {
  private readonly seen = new Map<string, Seen>();
  private sub: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.subjects.gatewayHeartbeatAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const beat = msg.json<GatewayHeartbeat>();
          if (typeof beat.gatewayId === 'string')
            this.seen.set(beat.gatewayId, { ...beat, lastSeen: Date.now() });
        } catch {
          // A malformed heartbeat is ignored.
        }
      },
    });
  }

  alive(now = Date.now()): Seen[] {
    const result: Seen[] = [];
    for (const [id, gw] of this.seen) {
      if (now - gw.lastSeen > GATEWAY_TIMEOUT_MS) this.seen.delete(id);
      else result.push(gw);
    }
    return result;
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}
