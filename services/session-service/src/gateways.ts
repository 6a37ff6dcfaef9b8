// Which connection-gateways are alive: each publishes a heartbeat every MQFLEET_GATEWAY_HEARTBEAT_MS
// on NATS, naming its id and its run (`instance`, random at each start; its connection ids start
// with it). A run silent for longer than MQFLEET_GATEWAY_TIMEOUT_MS is gone (gateway-watch.ts
// takes care of its sessions).
import type { NatsConnection, Subscription } from 'nats';
import {
  emptyReport,
  isPropagationReport,
  mergeReport,
  reportQuantileMs,
  type GatewayHeartbeat,
  type PropagationReport,
  type Subjects,
} from '@mqfleet/core';

/** Propagation reports are kept this long (the longest window describeAlterationPropagation takes). */
export const PROPAGATION_KEEP_MS = 300_000;

/** Fleet-wide alteration propagation over a window (core propagation.ts). */
export interface PropagationSummary {
  windowSeconds: number;
  /** Alterations put in force on live connections within the window, all gateways together. */
  count: number;
  /** Gateways that reported at least one. */
  gateways: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  meanMs?: number;
}

export interface Seen extends GatewayHeartbeat {
  lastSeen: number;
}

/** The runs of one gateway id heard from lately, by instance ("" = a gateway that names none). */
type Runs = Map<string, Seen>;

export class GatewayRegistry {
  private readonly seen = new Map<string, Runs>();
  /** The heartbeats' propagation reports, oldest first, with when they were heard. */
  private readonly reports: { heard: number; gatewayId: string; report: PropagationReport }[] = [];
  private sub: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    readonly timeoutMs: number,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.subjects.gatewayHeartbeatAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const beat = msg.json<GatewayHeartbeat>();
          if (typeof beat.gatewayId === 'string') this.heard(beat);
        } catch {
          // A malformed heartbeat is ignored.
        }
      },
    });
  }

  heard(beat: GatewayHeartbeat, now = Date.now()): void {
    const { propagation, ...rest } = beat;
    const instance = typeof rest.instance === 'string' ? rest.instance : '';
    let runs = this.seen.get(rest.gatewayId);
    if (!runs) this.seen.set(rest.gatewayId, (runs = new Map()));
    runs.set(instance, { ...rest, lastSeen: now });
    if (isPropagationReport(propagation) && propagation.count > 0) {
      this.reports.push({ heard: now, gatewayId: rest.gatewayId, report: propagation });
    }
    while (this.reports.length > 0 && now - this.reports[0]!.heard > PROPAGATION_KEEP_MS)
      this.reports.shift();
  }

  /**
   * Alteration propagation over the last windowSeconds, merged from the reports of every gateway
   * heard in it (each heartbeat reports what its gateway measured since its previous one).
   */
  propagation(windowSeconds: number, now = Date.now()): PropagationSummary {
    const merged = emptyReport();
    const gateways = new Set<string>();
    for (let i = this.reports.length - 1; i >= 0; i--) {
      const r = this.reports[i]!;
      if (now - r.heard > windowSeconds * 1000) break;
      mergeReport(merged, r.report);
      gateways.add(r.gatewayId);
    }
    const summary: PropagationSummary = { windowSeconds, count: merged.count, gateways: gateways.size };
    if (merged.count === 0) return summary;
    return {
      ...summary,
      p50Ms: reportQuantileMs(merged, 0.5),
      p90Ms: reportQuantileMs(merged, 0.9),
      p99Ms: reportQuantileMs(merged, 0.99),
      maxMs: merged.maxMs,
      meanMs: merged.sumMs / merged.count,
    };
  }

  /**
   * The live gateways (the latest run of each), for ListGateways: a run that is draining or left
   * (docs/mqtt.md, "Graceful drain") takes no connection, so it is not counted (the api-gateway's
   * /health/ready counts these).
   */
  alive(now = Date.now()): Seen[] {
    const result: Seen[] = [];
    for (const runs of this.seen.values()) {
      let latest: Seen | undefined;
      for (const run of runs.values()) {
        if (run.draining === true || run.left === true) continue;
        if (now - run.lastSeen <= this.timeoutMs && (!latest || run.lastSeen > latest.lastSeen)) latest = run;
      }
      if (latest) result.push(latest);
    }
    return result;
  }

  /**
   * The runs of a gateway heard within the timeout; undefined when one of them names no instance
   * (a gateway of an older version: its connections cannot be told apart by run). A draining run
   * is live (it is closing its connections itself); one that said it left is not: a connection
   * it still holds in the store was not closed, and is lost.
   */
  liveInstances(gatewayId: string, now = Date.now()): string[] | undefined {
    const live: string[] = [];
    for (const [instance, run] of this.seen.get(gatewayId) ?? []) {
      if (now - run.lastSeen > this.timeoutMs || run.left === true) continue;
      if (instance === '') return undefined;
      live.push(instance);
    }
    return live;
  }

  /** Forgets the runs silent past the timeout; returns the gateway ids that had one. */
  expire(now = Date.now()): Set<string> {
    const gone = new Set<string>();
    for (const [gatewayId, runs] of this.seen) {
      for (const [instance, run] of runs) {
        if (now - run.lastSeen <= this.timeoutMs) continue;
        runs.delete(instance);
        gone.add(gatewayId);
      }
      if (runs.size === 0) this.seen.delete(gatewayId);
    }
    return gone;
  }

  /**
   * Counts every known run as heard now: after this process could not hear heartbeats (its NATS
   * connection was down, its event loop stalled), silence says nothing about the gateways.
   */
  resetClocks(now = Date.now()): void {
    for (const runs of this.seen.values()) for (const run of runs.values()) run.lastSeen = now;
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}
