// Notices lost gateways (docs/mqtt.md, "A gateway that dies"). Every check (a quarter of the
// timeout, at most a second) it looks at the gateway ids that hold connected sessions in Postgres
// and at the runs of each it has heard (gateways.ts). A gateway none of whose runs was heard within
// MQFLEET_GATEWAY_TIMEOUT_MS, or a connection of a run that is no longer heard (the gateway
// restarted with the same id), is lost: losses.ts records it and takes care of the sessions.
//
// No false deaths after our own outage: nothing is judged while this process's NATS connection is
// down, nor for one timeout after it came back, after this process started (it has not heard
// anyone yet), or after its event loop stalled for half a timeout (heartbeats it could not read);
// and a connection younger than the timeout is never judged (its run may not have been heard yet).
// A gateway is judged when one of its runs went silent, when it has no live run at all (again
// every timeout while it keeps connected sessions), once after every quiet period, and every
// FULL_PASS_TIMEOUTS timeouts.
import { Events, type NatsConnection } from 'nats';
import type { Logger } from '@mqfleet/core';
import type { GatewayRegistry } from './gateways';
import type { GatewayLosses } from './losses';

/** Every gateway with connected sessions is judged at least this often (in timeouts). */
const FULL_PASS_TIMEOUTS = 10;
/** Longest time between two checks. */
const MAX_CHECK_MS = 1000;
/** While gateways are alive, a loss is theirs to take care of for this many timeouts. */
const OVERDUE_TIMEOUTS = 5;

export class GatewayWatch {
  private timer: NodeJS.Timeout | undefined;
  private natsUp = true;
  private quietUntil = 0;
  private lastTick = 0;
  private fullPassAt = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Gateways without a live run: when they were last judged. */
  private readonly judgedDead = new Map<string, number>();
  /** Gateways with connections too young to judge: judged again at every check until none is left. */
  private readonly again = new Set<string>();
  readonly checkMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly registry: GatewayRegistry,
    private readonly losses: GatewayLosses,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {
    this.checkMs = Math.max(50, Math.min(MAX_CHECK_MS, Math.floor(timeoutMs / 4)));
  }

  start(): void {
    const now = Date.now();
    this.quiet(now, 'started');
    this.lastTick = now;
    void this.watchNats();
    this.timer = setInterval(() => this.tick(), this.checkMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One timeout without judging anyone; then every gateway is judged once. */
  private quiet(now: number, why: string): void {
    this.registry.resetClocks(now);
    this.quietUntil = now + this.timeoutMs;
    this.fullPassAt = this.quietUntil;
    this.log.info('gateways are judged again after one timeout', { why, timeoutMs: this.timeoutMs });
  }

  private async watchNats(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) {
        this.natsUp = false;
      } else if (status.type === Events.Reconnect) {
        this.natsUp = true;
        this.quiet(Date.now(), 'NATS reconnected');
      }
    }
  }

  private tick(): void {
    const now = Date.now();
    const late = now - this.lastTick - this.checkMs;
    this.lastTick = now;
    if (late > this.timeoutMs / 2) this.quiet(now, `event loop stalled for ${late} ms`);
    if (this.running || this.stopped) return;
    this.running = this.pass(now)
      .catch((err: unknown) => this.log.warn('gateway watch pass failed; will retry', { err }))
      .finally(() => (this.running = undefined));
  }

  private async pass(now: number): Promise<void> {
    // Losses decided earlier (by any session-service) that no gateway took care of: after one
    // timeout when no gateway is alive, after OVERDUE_TIMEOUTS while gateways are alive (they
    // may be working through many; closing a session before it is parked loses its messages).
    const anyAlive = this.registry.alive(now).length > 0;
    await this.losses.closeOverdue((anyAlive ? OVERDUE_TIMEOUTS : 1) * this.timeoutMs);
    if (!this.natsUp || now < this.quietUntil) return;
    const silent = this.registry.expire(now);
    const full = now >= this.fullPassAt;
    if (full) this.fullPassAt = now + FULL_PASS_TIMEOUTS * this.timeoutMs;
    const connected = await this.losses.connectedGateways();
    for (const gatewayId of connected) {
      if (this.stopped || !this.natsUp) return;
      const live = this.registry.liveInstances(gatewayId, now);
      if (live === undefined) continue; // an older gateway: judged only once it is silent
      let judge = full || silent.has(gatewayId) || this.again.has(gatewayId);
      if (live.length === 0) {
        const last = this.judgedDead.get(gatewayId);
        if (last === undefined || now - last >= this.timeoutMs) judge = true;
      }
      if (!judge) continue;
      if (live.length === 0) this.judgedDead.set(gatewayId, now);
      const noticed = await this.losses.notice(gatewayId, live, this.timeoutMs);
      if (noticed.young > 0) this.again.add(gatewayId);
      else this.again.delete(gatewayId);
      if (noticed.parking + noticed.closed > 0) {
        this.log.warn(live.length === 0 ? 'gateway lost' : 'earlier run of a gateway lost', {
          gatewayId,
          liveRuns: live,
          sessions: noticed.parking + noticed.closed,
          parkedByGateways: noticed.parking,
          closedHere: noticed.closed,
        });
      }
    }
    for (const gatewayId of this.judgedDead.keys()) {
      if (!connected.includes(gatewayId)) this.judgedDead.delete(gatewayId);
    }
    for (const gatewayId of this.again) if (!connected.includes(gatewayId)) this.again.delete(gatewayId);
  }
}
