// Prometheus metrics of every service, end to end: real MQTT traffic and an alterMqSession, then
// GET /metrics of the session-service, the api-gateway and the connection-gateway read back what
// happened. The Grafana dashboard (deploy/grafana/mqfleet.json) may only query metrics a real
// scrape has.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, until, type ServiceProcess } from '@mqfleet/testkit';
import { alterLive, messageMatching, startSystem, type System } from './system';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus's text format, the sample lines: `name{a="x",b="y"} value`. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The metrics port a service named in its ready line. */
function metricsPort(p: ServiceProcess): number {
  const ready = p.lines.find((l) => l.includes('"msg":"ready"'));
  assert.ok(ready, `${p.name} has no ready line`);
  const port = (JSON.parse(ready) as { metricsPort?: unknown }).metricsPort;
  assert.equal(typeof port, 'number', `${p.name}: metricsPort in ${ready}`);
  return port as number;
}

async function scrape(p: ServiceProcess): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${metricsPort(p)}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return parse(await res.text());
}

/** The value of one sample (labels given must match; others may be there); undefined when absent. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
}

describe('Prometheus /metrics of each service (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('counts MQTT traffic, connections, sessions and a live alteration, read back from /metrics', async () => {
    const gateway = system.gateways[0]!.process;
    const sub = await system.mqtt('metrics-sub');
    await sub.subscribeAsync('metrics/#', { qos: 1 });
    const pub = await system.mqtt('metrics-pub');
    const before = await scrape(gateway);
    const base = (name: string, labels: Record<string, string>): number => value(before, name, labels) ?? 0;

    // 3 QoS 0 and 2 QoS 1 messages of 10 bytes each, all delivered to the subscriber.
    const last = messageMatching(sub, (m) => m.payload.toString() === 'qos1-msg-2');
    for (let i = 0; i < 3; i++) await pub.publishAsync('metrics/a', `qos0-msg-${i}`, { qos: 0 });
    for (let i = 1; i <= 2; i++) await pub.publishAsync('metrics/b', `qos1-msg-${i}`, { qos: 1 });
    await last;
    await until(async () => {
      const s = await scrape(gateway);
      return (
        (value(s, 'mqfleet_messages_sent_total', { qos: '0' }) ?? 0) >=
        base('mqfleet_messages_sent_total', { qos: '0' }) + 3
      );
    }, 10000);

    const g = await scrape(gateway);
    assert.equal(
      value(g, 'mqfleet_messages_received_total', { qos: '0' }),
      base('mqfleet_messages_received_total', { qos: '0' }) + 3,
    );
    assert.equal(
      value(g, 'mqfleet_messages_received_total', { qos: '1' }),
      base('mqfleet_messages_received_total', { qos: '1' }) + 2,
    );
    assert.equal(
      value(g, 'mqfleet_payload_bytes_received_total', { qos: '1' }),
      base('mqfleet_payload_bytes_received_total', { qos: '1' }) + 20,
    );
    assert.equal(
      value(g, 'mqfleet_messages_sent_total', { qos: '1' }),
      base('mqfleet_messages_sent_total', { qos: '1' }) + 2,
    );
    assert.equal(
      value(g, 'mqfleet_payload_bytes_sent_total', { qos: '0' }),
      base('mqfleet_payload_bytes_sent_total', { qos: '0' }) + 30,
    );
    assert.ok(
      value(g, 'mqfleet_gateway_bytes_total', { direction: 'in' })! >
        base('mqfleet_gateway_bytes_total', { direction: 'in' }) + 50,
    );
    assert.equal(
      value(g, 'mqfleet_gateway_connections', { state: 'open', protocol: '5', transport: 'mqtt' }),
      2,
    );
    assert.equal(value(g, 'mqfleet_gateway_sessions', { state: 'live' }), 2);
    assert.equal(value(g, 'mqfleet_gateway_inflight_messages'), 0);
    assert.equal(value(g, 'mqfleet_nats_connected'), 1);
    assert.ok(value(g, 'mqfleet_gateway_connects_total')! >= 2);
    assert.ok(value(g, 'process_resident_memory_bytes')! > 0);
    assert.ok(value(g, 'nodejs_eventloop_lag_seconds') !== undefined);

    // The session-service counts the stored sessions by type, status and connection.
    const s = await scrape(system.sessionService);
    assert.equal(
      value(s, 'mqfleet_sessions', { type: 'mqtt', status: 'normal', connection: 'connected' }),
      2,
    );
    assert.equal(value(s, 'mqfleet_gateways_alive'), 1);
    assert.equal(value(s, 'mqfleet_nats_connected'), 1);
    assert.ok(value(s, 'mqfleet_pg_pool_clients', { state: 'total' })! >= 1);
    assert.ok(value(s, 'mqfleet_outbox_lag_seconds') !== undefined);
    assert.ok(
      value(s, 'mqfleet_grpc_server_duration_seconds_count', {
        method: 'AuthService/CreateToken',
        code: 'OK',
      })! >= 1,
    );

    // A live alteration: counted by the session-service with its propagation time, applied by
    // the gateway from its event, and the api-gateway timed the request.
    const altersBefore = value(s, 'mqfleet_alterations_total', { live_applied: 'true' }) ?? 0;
    const appliedBefore =
      value(g, 'mqfleet_gateway_sessions_applied_total', { source: 'event:altered' }) ?? 0;
    await alterLive(system, token, 'metrics-sub', { keepAliveSeconds: 45 });
    const s2 = await scrape(system.sessionService);
    assert.equal(value(s2, 'mqfleet_alterations_total', { live_applied: 'true' }), altersBefore + 1);
    assert.ok(value(s2, 'mqfleet_alteration_propagation_seconds_count')! >= 1);
    assert.ok(value(s2, 'mqfleet_alteration_propagation_seconds_bucket', { le: '+Inf' })! >= 1);
    await until(async () => {
      const g2 = await scrape(gateway);
      return (
        value(g2, 'mqfleet_gateway_sessions_applied_total', { source: 'event:altered' })! > appliedBefore
      );
    }, 10000);
    assert.ok(value(await scrape(gateway), 'mqfleet_gateway_alteration_apply_seconds_count')! >= 1);
    const a = await scrape(system.apiGateway);
    assert.ok(
      value(a, 'mqfleet_http_request_duration_seconds_count', {
        route: '/api',
        action: 'alterMqSession',
        status: '200',
      })! >= 1,
    );
    assert.equal(value(a, 'process_resident_memory_bytes', { service: 'api-gateway' }) !== undefined, true);
    // Its gRPC calls as it sees them (createSession's CreateToken; alterMqSession's stream is still open).
    assert.ok(
      value(a, 'mqfleet_grpc_client_duration_seconds_count', {
        method: 'AuthService/CreateToken',
        code: 'OK',
      })! >= 1,
    );

    // A disconnect is counted, and the connection is gone from the gauges.
    await pub.endAsync();
    await until(
      async () => value(await scrape(gateway), 'mqfleet_gateway_connections', { state: 'open' }) === 1,
      10000,
    );
    assert.ok(value(await scrape(gateway), 'mqfleet_gateway_disconnects_total')! >= 1);
  });

  it('counts a delivery dropped as too large for its client, also after that client has gone', async () => {
    const gateway = system.gateways[0]!.process;
    const dropped = async (): Promise<number> =>
      value(await scrape(gateway), 'mqfleet_messages_dropped_total', { reason: 'packetTooLarge' }) ?? 0;
    const before = await dropped();
    const connections = value(await scrape(gateway), 'mqfleet_gateway_connections') ?? 0;
    // MQTT 5: the client takes packets of at most 64 bytes [MQTT-3.1.2-24]; a larger one is dropped.
    const small = await system.mqtt('metrics-small', { properties: { maximumPacketSize: 64 } });
    await small.subscribeAsync('metrics/big', { qos: 0 });
    const pub = await system.mqtt('metrics-big-pub');
    await pub.publishAsync('metrics/big', 'x'.repeat(200), { qos: 1 });
    await until(async () => (await dropped()) === before + 1, 10000);
    await small.endAsync();
    // Its socket gone from the gateway: only the publisher is left of the two.
    await until(
      async () => value(await scrape(gateway), 'mqfleet_gateway_connections') === connections + 1,
      10000,
    );
    assert.equal(await dropped(), before + 1, 'the ended connection keeps its drop in the total');
    await pub.endAsync();
  });

  it('answers 404 off /metrics and takes no other method', async () => {
    const port = metricsPort(system.sessionService);
    const other = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(other.status, 404);
    assert.match(await other.text(), /GET \/metrics/);
    const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 404);
    await post.arrayBuffer();
  });

  it('the Grafana dashboard queries only metrics a real scrape has', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(REPO_ROOT, 'deploy', 'grafana', 'mqfleet.json'), 'utf8'),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const scraped = new Set<string>();
    for (const p of [system.sessionService, system.apiGateway, system.gateways[0]!.process])
      for (const s of await scrape(p)) scraped.add(s.name);
    const queried = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        for (const m of target.expr.matchAll(/\b(?:mqfleet|process|nodejs)_[a-z0-9_]+/g)) queried.add(m[0]);
      }
    }
    assert.ok(queried.size >= 15, `the dashboard queries ${queried.size} metrics`);
    const missing = [...queried].filter((name) => !scraped.has(name));
    assert.deepEqual(missing, [], 'metrics the dashboard queries that no service exposes');
  });
});
