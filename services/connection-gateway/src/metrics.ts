// The connection-gateway's /metrics (docs/operations.md). Everything the message path counts is
// read when Prometheus scrapes: the traffic totals (stats.ts GatewayTraffic), the connections'
// own queues and drops. Only rare events (connects, ends, takeovers, applied session versions)
// are counted as they happen, from the gateway's events (events.ts).
import type { ServiceMetrics } from '@mqfleet/core';
import type { Gateway } from './index';
import { transportOf } from './listeners';

/** An alteration's event waits this long at most for its application to be seen. */
const EVENT_MEMORY = 10_000;

const PROTOCOLS: Record<number, string> = { 4: '3.1.1', 5: '5' };
const QOS = ['0', '1', '2'] as const;

/** Buckets (seconds) of an alteration's way from its event to the live connection. */
const APPLY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function registerGatewayMetrics(metrics: ServiceMetrics, gateway: Gateway): void {
  const traffic = gateway.traffic;

  metrics.gauge(
    'mqfleet_gateway_connections',
    'Client connections of this gateway by state (new: before CONNECT, opening: until CONNACK, open, closed), MQTT protocol version and transport (mqtt, mqtts, ws, wss)',
    ['state', 'protocol', 'transport'],
    (put) => {
      const counts = new Map<string, { state: string; protocol: string; transport: string; n: number }>();
      for (const conn of gateway.connections) {
        const protocol = conn.state === 'new' ? 'unknown' : (PROTOCOLS[conn.protocolVersion] ?? 'unknown');
        const transport = transportOf(conn.socket);
        const key = `${conn.state}/${protocol}/${transport}`;
        const entry = counts.get(key) ?? { state: conn.state, protocol, transport, n: 0 };
        entry.n++;
        counts.set(key, entry);
      }
      for (const { state, protocol, transport, n } of counts.values()) put({ state, protocol, transport }, n);
    },
  );
  metrics.gauge(
    'mqfleet_gateway_sessions',
    'Sessions this gateway holds: live (a connection holds it) and held (its close held for a reconnect)',
    ['state'],
    (put) => {
      put({ state: 'live' }, gateway.byClient.size);
      put({ state: 'held' }, gateway.resumeHold.size);
    },
  );
  metrics.gauge(
    'mqfleet_gateway_queued_messages',
    'QoS 1/2 deliveries waiting for the in-flight window or the outbound budget, over all connections',
    [],
    (put) => {
      let n = 0;
      for (const conn of gateway.connections) n += conn.queuedCount;
      put({}, n);
    },
  );
  metrics.gauge(
    'mqfleet_gateway_inflight_messages',
    'QoS 1/2 deliveries sent and not yet acknowledged by their clients, over all connections',
    [],
    (put) => {
      let n = 0;
      for (const conn of gateway.connections) n += conn.inflightCount;
      put({}, n);
    },
  );
  metrics.counterFrom(
    'mqfleet_messages_received_total',
    'PUBLISH packets received from clients, by QoS',
    ['qos'],
    (put) => QOS.forEach((qos, i) => put({ qos }, traffic.messagesIn[i]!)),
  );
  metrics.counterFrom(
    'mqfleet_messages_sent_total',
    'PUBLISH packets written to clients, by the QoS delivered',
    ['qos'],
    (put) => QOS.forEach((qos, i) => put({ qos }, traffic.messagesOut[i]!)),
  );
  metrics.counterFrom(
    'mqfleet_payload_bytes_received_total',
    'Payload bytes of the PUBLISH packets received from clients, by QoS',
    ['qos'],
    (put) => QOS.forEach((qos, i) => put({ qos }, traffic.payloadBytesIn[i]!)),
  );
  metrics.counterFrom(
    'mqfleet_payload_bytes_sent_total',
    'Payload bytes of the PUBLISH packets written to clients, by QoS',
    ['qos'],
    (put) => QOS.forEach((qos, i) => put({ qos }, traffic.payloadBytesOut[i]!)),
  );
  metrics.counterFrom(
    'mqfleet_gateway_bytes_total',
    'Bytes read from (in) and written to (out) client connections, every packet',
    ['direction'],
    (put) => {
      put({ direction: 'in' }, traffic.bytesIn);
      put({ direction: 'out' }, traffic.bytesOut);
    },
  );
  metrics.counterFrom(
    'mqfleet_messages_dropped_total',
    'Deliveries not sent to a client (outboundBudget, queueFull, packetTooLarge, expired) and PUBLISH packets not routed (banned, not authorized, bus limit)',
    ['reason'],
    (put) => {
      const drops = traffic.drops(gateway.connections);
      for (const [reason, n] of Object.entries(drops)) put({ reason }, n);
      for (const [reason, n] of traffic.refused) put({ reason }, n);
    },
  );
  metrics.gauge('mqfleet_nats_connected', "1 while the service's NATS connection is up", [], (put) =>
    put({}, gateway.natsConnected ? 1 : 0),
  );

  const connects = metrics.counter('mqfleet_gateway_connects_total', 'CONNECTs accepted (CONNACK 0)', []);
  const refusals = metrics.counter('mqfleet_gateway_connects_refused_total', 'CONNECTs refused', []);
  const ends = metrics.counter(
    'mqfleet_gateway_disconnects_total',
    'Connections ended after their CONNECT',
    [],
  );
  const takeovers = metrics.counter(
    'mqfleet_gateway_takeovers_total',
    'Connections that lost their session to a newer one: on this gateway (local), on another (cluster), or taken for lost',
    ['where'],
  );
  // Scraped from the start, at 0 (a series that appears only with its first event hides it from rate()).
  for (const where of ['local', 'cluster', 'lost']) takeovers.inc({ where }, 0);
  const applied = metrics.counter(
    'mqfleet_gateway_sessions_applied_total',
    'Session versions put in force on live connections, by where they came from (open, event:altered, event:bulkAltered, reconcile, …)',
    ['source'],
  );
  const applyLatency = metrics.histogram(
    'mqfleet_gateway_alteration_apply_seconds',
    "From an alteration's event (its time on the session-service) to its version in force on the live connection here",
    [],
    APPLY_BUCKETS,
  );
  gateway.on('connected', () => connects.inc());
  gateway.on('connectRefused', () => refusals.inc());
  gateway.on('connectionClosed', () => ends.inc());
  gateway.on('takeover', (_client, _id, where) => takeovers.inc({ where }));

  // An altered event's time, until its version is applied here (or forgotten).
  const alteredAt = new Map<string, { version: string; at: number }>();
  gateway.on('sessionEvent', (event) => {
    if (event.type !== 'altered' || !gateway.byClient.has(event.clientName)) return;
    if (alteredAt.size >= EVENT_MEMORY) alteredAt.clear();
    alteredAt.set(event.clientName, { version: event.version, at: Date.parse(event.at) });
  });
  gateway.on('sessionApplied', (clientName, version, source) => {
    applied.inc({ source });
    const seen = alteredAt.get(clientName);
    if (!seen || seen.version !== version) return;
    alteredAt.delete(clientName);
    if (Number.isFinite(seen.at)) applyLatency.observe(Math.max(0, Date.now() - seen.at) / 1000);
  });
}
