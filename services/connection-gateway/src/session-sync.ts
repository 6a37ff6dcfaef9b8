// Session events and reconciliation, applied to the live connections of this gateway: a newer
// version of a session is applied to the connection that holds it (settings, subscriptions), a
// newer state held by another connection or by none ends it (a takeover in the cluster, or the
// cluster closed it while this gateway was taken for lost), a deletion or deactivation
// disconnects it (0x98), a bulk alteration's parts apply on top of the version right before, and
// whatever this gateway may have missed is fetched again (reconcile). Versions order everything:
// an event not newer than what a connection holds changes nothing (docs/architecture.md).
import type { Logger, SessionBulkEvent, SessionEvent } from '@mqfleet/core';
import type { AppliedConfirmations } from './applied';
import type { Session__Output } from '@mqfleet/proto';
import type { Connection } from './connection';
import { TAKEN_OVER } from './context';
import type { EmitGatewayEvent } from './events';
import type { HealthMonitor } from './health';
import type { OfflineSessions } from './offline';
import { ReasonCode } from './reason-codes';
import type { ResumeHold } from './resume-hold';
import type { SessionClient } from './session-client';
import type { Wills } from './wills';

/** DescribeSessions is asked about this many client ids at a time when reconciling. */
const RECONCILE_BATCH = 200;

/** What session synchronisation needs of its gateway. */
export interface SyncHost {
  readonly logger: Logger;
  readonly byClient: ReadonlyMap<string, Connection>;
  readonly resumeHold: ResumeHold;
  readonly wills: Wills;
  readonly offline: OfflineSessions | undefined;
  readonly sessions: SessionClient;
  readonly closing: boolean;
  readonly gatewayId: string;
  /** Confirmations of versions in force here (applied.ts). */
  readonly applied: AppliedConfirmations;
  /** Session health, evaluated again when a new version is in force (health.ts). */
  readonly health: HealthMonitor | undefined;
  emit: EmitGatewayEvent;
}

export class SessionSync {
  constructor(private readonly host: SyncHost) {}

  /** A session event read from NATS (session-events.ts). */
  onEvent(event: SessionEvent | SessionBulkEvent): void {
    this.host.emit('sessionEvent', event);
    if (event.type === 'bulkAltered') {
      this.onBulkAltered(event);
      return;
    }
    if (event.type === 'connected')
      this.host.wills.connectedElsewhere(event.clientName, BigInt(event.version));
    this.host.offline?.onEvent(event);
    // Anything that happens to a held session sends its close: a reconnect opens it as usual.
    // (Not the event of its own open arriving late: the version the session is held at.)
    this.host.resumeHold.releaseNewer(event.clientName, BigInt(event.version));
    const conn = this.host.byClient.get(event.clientName);
    if (!conn) return;
    if ((event.type === 'deleted' || event.type === 'deactivated') && BigInt(event.version) > conn.version) {
      this.disconnectByAdmin(conn, event.type);
      return;
    }
    // An event too large for the bus came without its session: fetch it (core event-size.ts).
    if (event.omitted && BigInt(event.version) > conn.version)
      void this.reconcile('event without its session', [event.clientName]);
    if (!event.session) return;
    if (
      event.type === 'altered' &&
      !event.actor.startsWith('gateway:') &&
      BigInt(event.version) > conn.version
    ) {
      // An administrator's change reaching the live connection (docs/operations.md, "Request ids").
      conn.log.info('session altered', {
        clientName: event.clientName,
        version: event.version,
        actor: event.actor,
        requestId: event.requestId,
        changed: Object.keys(event.changes ?? {}),
      });
    }
    this.applyRemote(conn, event.session, `event:${event.type}`);
  }

  /**
   * One part of a bulk alteration: each listed session's changes, without its snapshot. A change
   * applies on top of the state this gateway holds only if that state is the version right before
   * it; a connection further behind (it missed an event) fetches its session instead, like a
   * reconciliation. Older or equal versions are ignored, as for every event.
   */
  private onBulkAltered(event: SessionBulkEvent): void {
    const behind: string[] = [];
    const byAdmin = !event.actor.startsWith('gateway:');
    for (const entry of event.sessions ?? []) {
      this.host.resumeHold.releaseNewer(entry.clientName, BigInt(entry.version));
      const conn = this.host.byClient.get(entry.clientName);
      if (!conn) continue;
      const version = BigInt(entry.version);
      if (version <= conn.version) continue;
      if (byAdmin) {
        // As for a single alteration (docs/operations.md, "Request ids"): the bulk alteration's
        // request id, for each session of it that reaches a live connection here.
        conn.log.info('session altered', {
          clientName: entry.clientName,
          version: entry.version,
          actor: event.actor,
          requestId: event.requestId,
          bulkId: event.bulkId,
          changed: entry.omitted ? undefined : Object.keys(entry.changes),
        });
      }
      if (version !== conn.version + 1n || !conn.session || entry.omitted) {
        behind.push(entry.clientName);
        continue;
      }
      const settings: Record<string, unknown> = { ...conn.session.settings };
      for (const field of Object.keys(entry.changes)) settings[field] = entry.changes[field]!.after;
      this.applyRemote(
        conn,
        {
          ...conn.session,
          version: entry.version,
          settings: settings as unknown as Session__Output['settings'],
        },
        'event:bulkAltered',
      );
    }
    if (behind.length > 0) void this.reconcile('bulk alteration ahead of this gateway', behind);
  }

  /**
   * deleteMqSession: the client is disconnected (MQTT 5 DISCONNECT 0x98, administrative action).
   * The server ends the connection, not the client, so its will is published [MQTT-3.1.2-8].
   */
  private disconnectByAdmin(conn: Connection, why: string): void {
    this.host.logger.info('session ended by an administrator', { clientName: conn.clientName, why });
    conn.end(
      { reason: `session ${why} by an administrator`, clean: false, publishWill: true },
      ReasonCode.ADMINISTRATIVE_ACTION,
    );
  }

  /** Applies a newer session state, or closes the connection if another connection holds it now. */
  private applyRemote(conn: Connection, session: Session__Output, source: string): void {
    if (BigInt(session.version || '0') <= conn.version) return;
    const holder = session.connection;
    if (conn.sessionOpened && holder && holder.status !== 'CONNECTION_STATUS_CONNECTED') {
      // A newer state in which no connection holds the session: the cluster closed it while this
      // gateway was out of touch (taken for lost, docs/mqtt.md). Its will and offline queue were
      // taken care of by the cluster: the connection ends without a will, its uncompleted
      // deliveries go to the session's queue (as at a takeover), and its late writes are refused
      // by connection id.
      this.host.logger.warn('session closed by the cluster while this gateway was taken for lost', {
        clientName: conn.clientName,
        reason: holder.disconnectionReason,
        source,
      });
      this.host.emit('takeover', conn.clientName, conn.id, 'lost');
      conn.end({ reason: TAKEN_OVER, clean: false, publishWill: false }, ReasonCode.SESSION_TAKEN_OVER);
      return;
    }
    if (
      holder?.status === 'CONNECTION_STATUS_CONNECTED' &&
      holder.connectionId &&
      holder.connectionId !== conn.id
    ) {
      // Cluster-wide takeover: the client connected elsewhere [MQTT-3.1.4-3].
      this.host.logger.info('session taken over', {
        clientName: conn.clientName,
        by: holder.gatewayId,
        source,
      });
      this.host.emit('takeover', conn.clientName, conn.id, 'cluster');
      conn.end(
        { reason: 'session taken over', clean: false, publishWill: false },
        ReasonCode.SESSION_TAKEN_OVER,
      );
      return;
    }
    this.apply(conn, session, source);
  }

  /**
   * Applies a session state to a live connection (from an event, a reconcile, an OpenSession or
   * subscription reply, or the resume hold) if it is newer, or always with `force`. Once the
   * version is in force it is confirmed (alterMqSession's liveApplied waits for that,
   * applied.ts) and the session's health is evaluated again (new thresholds or subscriptions).
   * A session resumed from the hold was confirmed at its version by the connection that held it,
   * under the same connection id. Returns whether the state was applied.
   */
  apply(conn: Connection, session: Session__Output, source: string, force = false): boolean {
    const inForce = conn.applySession(session, source, force);
    if (!inForce) return false;
    const { clientName } = conn;
    const connectionId = conn.id;
    const version = session.version;
    void inForce.then(() => {
      if (source !== 'hold') {
        this.host.applied.confirm({ clientName, version, gatewayId: this.host.gatewayId, connectionId });
      }
      const current = this.host.byClient.get(clientName);
      if (current?.id === connectionId) this.host.health?.check(current);
      this.host.emit('sessionApplied', clientName, version, source, connectionId);
    });
    return true;
  }

  /** Asks the session-service for every client connected here and applies newer versions. */
  async reconcile(why: string, names: string[]): Promise<void> {
    if (names.length === 0 || this.host.closing) return;
    this.host.logger.info('reconciling sessions', { why, count: names.length });
    for (let i = 0; i < names.length; i += RECONCILE_BATCH) {
      try {
        const batch = names.slice(i, i + RECONCILE_BATCH);
        const { sessions } = await this.host.sessions.describeSessions(batch);
        const found = new Set(sessions.map((s) => s.clientName));
        for (const session of sessions) {
          const conn = this.host.byClient.get(session.clientName);
          if (conn) this.applyRemote(conn, session, 'reconcile');
        }
        // A session deleted while this gateway missed events is gone from the store.
        for (const name of batch) {
          const conn = this.host.byClient.get(name);
          if (conn && !found.has(name)) this.disconnectByAdmin(conn, 'deleted');
        }
      } catch (err) {
        this.host.logger.warn('reconcile failed', { why, err });
      }
    }
    this.host.emit('reconciled', why);
  }
}
