// Alteration propagation measured here, for the fleet-wide numbers (core propagation.ts): from an
// administrator's alteration's event `at` (the session-service's clock, when it wrote the
// alteration) to its version in force on the live connection here (this gateway's clock; a
// difference between the two clocks is part of the number). Both single alterations (altered
// events) and the sessions of bulk alterations (bulkAltered parts) count, once each, whoever
// made them; the gateway's own changes (actor gateway:<id>) do not. Alterations of one session
// that follow each other before the first is in force count once, for the last. Reported in the
// heartbeat.
import {
  PropagationRecorder,
  type PropagationReport,
  type SessionBulkEvent,
  type SessionEvent,
} from '@mqfleet/core';
import type { EventEmitter } from 'node:events';
import type { GatewayEvents } from './events';

/** Alterations waiting to be seen in force, at most (the oldest are forgotten beyond). */
const PENDING_MAX = 100_000;

export class AlterationPropagation {
  private readonly recorder = new PropagationRecorder();
  /** Alterations of sessions live here, by client name: their version and event time. */
  private readonly pending = new Map<string, { version: bigint; at: number }>();

  constructor(
    gateway: EventEmitter<GatewayEvents>,
    private readonly isLive: (clientName: string) => boolean,
  ) {
    gateway.on('sessionEvent', (event) => this.onEvent(event));
    gateway.on('sessionApplied', (clientName, version) => this.onApplied(clientName, version));
    // A connection that ends takes its pending alteration with it: its next connection opens
    // the session at whatever version is stored then, which says nothing of the alteration's way.
    gateway.on('connectionClosed', (clientName) => this.pending.delete(clientName));
  }

  /** What was measured since the previous call (the heartbeat's `propagation`). */
  take(): PropagationReport | undefined {
    return this.recorder.take();
  }

  private onEvent(event: SessionEvent | SessionBulkEvent): void {
    if (event.actor.startsWith('gateway:')) return;
    const at = Date.parse(event.at);
    if (!Number.isFinite(at)) return;
    if (event.type === 'bulkAltered') {
      for (const entry of event.sessions ?? []) this.remember(entry.clientName, entry.version, at);
    } else if (event.type === 'altered') {
      this.remember(event.clientName, event.version, at);
    }
  }

  private remember(clientName: string, version: string, at: number): void {
    if (!this.isLive(clientName)) return;
    const v = BigInt(version);
    const before = this.pending.get(clientName);
    // A newer alteration of the same session supersedes an earlier one not yet in force.
    if (before && before.version >= v) return;
    if (this.pending.size >= PENDING_MAX && !before) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
    this.pending.set(clientName, { version: v, at });
  }

  private onApplied(clientName: string, version: string): void {
    const seen = this.pending.get(clientName);
    if (!seen) return;
    // In force at this version or a newer one (a reconcile may bring a later state at once).
    if (BigInt(version || '0') < seen.version) return;
    this.pending.delete(clientName);
    this.recorder.record(Date.now() - seen.at);
  }
}
