// One alterMqSessions over many connected sessions on ONE connection-gateway: how long until
// every connection has the change in force. The whole system as processes, with
// MQFLEET_APPLY_TIMEOUT_MS 10000 (so the reply waits for the real confirmation time rather than
// the default 1 s) and MQFLEET_GRPC_DEADLINE_MS 60000. The sessions are opened by this process
// with a minimal raw MQTT 5 client (net + mqtt-packet: CONNECT, wait for CONNACK, nothing else;
// keep alive 600 s, so no PINGREQ is needed during the run), bounded concurrency.
//
// Measured per bulk alteration (userProperties set to a new value on every "bulk-" session):
//   - the HTTP response time, and the result's matched/changed/connected/liveApplied counts;
//   - session-service side: the gateway's confirmations (`<prefix>.applied.<client>`) seen by this
//     process on NATS: when the first and the last (all connected) arrived;
//   - device side: a sample of devices probes (QoS 0, every --probe-ms) from the moment of the
//     request until a subscriber sees the new user property on its probe; after the reply, every
//     device publishes probes until each has been seen with the new value (sweeps every 250 ms,
//     at most 10 s): the time of the last one is when all of them were in force (upper bound).
//
//   node --import tsx bench/bulk-10k.ts [--sessions 10000] [--concurrency 200] [--runs 2]
import { parseArgs } from 'node:util';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import { natsConnection } from '@mqfleet/testkit';
import { HttpClient, type ApiReply } from './lib/http';
import { cpuMeter, machine, percentile, pidsOf, report, round, rssMiB, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '200' },
    runs: { type: 'string', default: '2' },
    sample: { type: 'string', default: '100' },
    'probe-ms': { type: 'string', default: '10' },
  },
});
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const RUNS = Number(args.runs);
const SAMPLE = Number(args.sample);
const PROBE_MS = Number(args['probe-ms']);
const APPLY_TIMEOUT_MS = 10000;
const GOAL_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CONNECT, resolve on CONNACK 0x00; the socket stays open and ignores whatever comes next. */
function rawConnect(port: number, clientId: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(new Error(`${clientId}: no CONNACK in 15 s`)), 15000);
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('connect', () => {
      socket.write(
        mqttPacket.generate(
          { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId, keepalive: 600 },
          { protocolVersion: 5 },
        ),
      );
    });
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      // CONNACK: 0x20, remaining length, flags, reason code.
      if (chunk[0] === 0x20 && chunk[3] === 0) {
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        resolve(socket);
      } else {
        socket.destroy();
        reject(new Error(`${clientId}: refused (${chunk.subarray(0, 4).toString('hex')})`));
      }
    });
  });
}

function ulimitN(): string {
  try {
    return execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const fdLimit = ulimitN();
  process.stderr.write(`ulimit -n (this process and the services it starts): ${fdLimit}\n`);
  const system = await startBenchSystem({
    gateway: true,
    env: { MQFLEET_APPLY_TIMEOUT_MS: String(APPLY_TIMEOUT_MS), MQFLEET_GRPC_DEADLINE_MS: '60000' },
  });
  const sockets: net.Socket[] = [];
  let subscriber: MqttClient | undefined;
  const http = new HttpClient(`http://127.0.0.1:${system.httpPort}/api`, 4, 60000);
  let nc: Awaited<ReturnType<typeof natsConnection>> | undefined;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    subscriber?.end(true);
    await nc?.close().catch(() => undefined);
    http.close();
    await system.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    const names = Array.from({ length: SESSIONS }, (_, i) => `bulk-${String(i).padStart(5, '0')}`);
    const index = new Map(names.map((n, i) => [n, i]));
    const connectFailures: string[] = [];
    const connectStarted = performance.now();
    let next = 0;
    const slots: (net.Socket | undefined)[] = new Array(SESSIONS);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SESSIONS) {
          const i = next++;
          try {
            slots[i] = await rawConnect(system.mqttPort, names[i]!);
          } catch (err) {
            if (connectFailures.length < 5) connectFailures.push((err as Error).message);
            else connectFailures.push('');
          }
        }
      }),
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const connectedIdx = slots.flatMap((s, i) => (s ? [i] : []));
    for (const i of connectedIdx) sockets.push(slots[i]!);
    let unexpectedCloses = 0;
    for (const s of sockets) s.on('close', () => unexpectedCloses++);
    process.stderr.write(
      `connected ${connectedIdx.length}/${SESSIONS} in ${round(connectSeconds, 1)} s` +
        ` (${connectFailures.length} failures)\n`,
    );
    const publishPacket = connectedIdx.map((i) =>
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: `bulk/probe/${i}`,
          payload: Buffer.alloc(0),
          qos: 0,
          dup: false,
          retain: false,
        },
        { protocolVersion: 5 },
      ),
    );
    const probe = (k: number): void => {
      slots[connectedIdx[k]!]!.write(publishPacket[k]!);
    };

    subscriber = mqtt.connect(`mqtt://127.0.0.1:${system.mqttPort}`, {
      clientId: 'probe-subscriber',
      protocolVersion: 5,
      reconnectPeriod: 0,
      keepalive: 120,
    });
    await new Promise<void>((resolve, reject) => {
      subscriber!.once('connect', () => resolve());
      subscriber!.once('error', reject);
    });
    await subscriber.subscribeAsync('bulk/probe/#', { qos: 0 });

    // The value each device was last seen publishing with, and when.
    let wanted = '';
    const seenNewAt = new Float64Array(SESSIONS).fill(NaN);
    let probesReceived = 0;
    subscriber.on('message', (topic, _payload, packet) => {
      probesReceived++;
      const d = Number(topic.slice(topic.lastIndexOf('/') + 1));
      const raw = (packet.properties?.userProperties as Record<string, string | string[]> | undefined)?.bulk;
      const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      if (values.includes(wanted) && Number.isNaN(seenNewAt[d]!)) seenNewAt[d] = performance.now();
    });

    nc = await natsConnection(system.infra.natsUrl);
    let confirmations: number[] = [];
    nc.subscribe(`${system.infra.natsPrefix}.applied.>`, {
      callback: (_err, m) => {
        try {
          const body = JSON.parse(new TextDecoder().decode(m.data)) as { clientName: string };
          if (index.has(body.clientName)) confirmations.push(performance.now());
        } catch {
          // not ours
        }
      },
    });
    // A bulk alteration is published as bulkAltered parts (docs/events.md); a core subscription
    // may see a part twice (fast path and relay), so each eventId counts once.
    let eventsSeen: number[] = [];
    let partIds = new Set<string>();
    nc.subscribe(`${system.infra.natsPrefix}.events.session.bulkAltered.>`, {
      callback: (_err, m) => {
        const id = m.subject.slice(m.subject.lastIndexOf('.') + 1);
        if (partIds.has(id)) return;
        partIds.add(id);
        eventsSeen.push(performance.now());
      },
    });
    await nc.flush();

    const token = await system.login();
    const sample = Array.from({ length: Math.min(SAMPLE, connectedIdx.length) }, (_, j) =>
      Math.floor((j * connectedIdx.length) / Math.min(SAMPLE, connectedIdx.length)),
    );
    const sessionService = system.processes[0]!.child.pid!;
    const apiGateway = system.processes[1]!.child.pid!;
    const gateway = system.processes[2]!.child.pid!;
    const runs: Record<string, unknown>[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await sleep(1000);
      wanted = `run-${run}-${Date.now()}`;
      seenNewAt.fill(NaN);
      confirmations = [];
      eventsSeen = [];
      partIds = new Set();
      const stopCpu = cpuMeter({
        'session-service': () => [sessionService],
        'api-gateway': () => [apiGateway],
        'connection-gateway': () => [gateway],
        postgres: () => pidsOf('postgres'),
        'nats-server': () => pidsOf('nats-server'),
        'bench client': () => [process.pid],
      });
      const sent = performance.now();
      // Sample devices probe from the request on.
      const sampleTimer = setInterval(() => {
        for (const k of sample) if (Number.isNaN(seenNewAt[connectedIdx[k]!]!)) probe(k);
      }, PROBE_MS);
      const reply: ApiReply = await http
        .action(
          'mq',
          'alterMqSessions',
          {
            filter: { partialClientName: 'bulk-' },
            changes: { userProperties: [{ key: 'bulk', value: wanted }] },
          },
          token,
        )
        .catch((err: Error) => ({ status: 0, body: { errorMessage: err.message }, latencyMs: NaN }));
      const replyMs = performance.now() - sent;
      clearInterval(sampleTimer);
      const atReply = connectedIdx.filter((i) => !Number.isNaN(seenNewAt[i]!)).length;
      // Every device probes until seen with the new value (sweeps, bounded).
      const sweepDeadline = performance.now() + 10000;
      let sweeps = 0;
      for (;;) {
        const missing = connectedIdx.flatMap((i, k) => (Number.isNaN(seenNewAt[i]!) ? [k] : []));
        if (missing.length === 0 || performance.now() > sweepDeadline) break;
        sweeps++;
        for (let j = 0; j < missing.length; j++) {
          probe(missing[j]!);
          if (j % 500 === 499) await sleep(0);
        }
        await sleep(250);
      }
      const cpu = stopCpu();
      const wallS = (performance.now() - sent) / 1000;
      const seen = connectedIdx.map((i) => seenNewAt[i]!).filter((t) => !Number.isNaN(t));
      const sampleDelays = sample
        .map((k) => seenNewAt[connectedIdx[k]!]! - sent)
        .filter((t) => !Number.isNaN(t));
      const r = reply.body.result as Record<string, number> | undefined;
      const row = {
        run,
        httpStatus: reply.status,
        errorCode: reply.body.errorCode,
        errorMessage: reply.body.errorMessage,
        replyMs: round(replyMs, 0),
        matchedSessions: r?.matchedSessions,
        changedSessions: r?.changedSessions,
        connectedSessions: r?.connectedSessions,
        liveAppliedSessions: r?.liveAppliedSessions,
        eventsOnNats: eventsSeen.length,
        firstEventMs: eventsSeen.length ? round(Math.min(...eventsSeen) - sent, 0) : undefined,
        lastEventMs: eventsSeen.length ? round(Math.max(...eventsSeen) - sent, 0) : undefined,
        confirmationsOnNats: confirmations.length,
        firstConfirmationMs: confirmations.length ? round(Math.min(...confirmations) - sent, 0) : undefined,
        lastConfirmationMs: confirmations.length ? round(Math.max(...confirmations) - sent, 0) : undefined,
        sampleDevices: sample.length,
        sampleInForceP50Ms: round(percentile(sampleDelays, 50), 0),
        sampleInForceMaxMs: round(percentile(sampleDelays, 100), 0),
        devicesSeenInForceAtReply: atReply,
        devicesSeenInForce: seen.length,
        lastDeviceSeenInForceMs: seen.length ? round(Math.max(...seen) - sent, 0) : undefined,
        sweeps,
        cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 2)])),
        wallSeconds: round(wallS, 1),
      };
      runs.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }

    const allWithin = runs.every(
      (r) =>
        r.liveAppliedSessions === connectedIdx.length &&
        typeof r.lastConfirmationMs === 'number' &&
        r.lastConfirmationMs <= GOAL_MS,
    );
    const result = {
      benchmark: 'bulk-10k',
      machine: machine(),
      ulimitN: fdLimit,
      sessionsWanted: SESSIONS,
      sessionsConnected: connectedIdx.length,
      connectSeconds: round(connectSeconds, 1),
      connectFailures: connectFailures.length,
      connectFailureSamples: connectFailures.filter(Boolean),
      probesReceived,
      stillConnected: sockets.filter((s) => !s.destroyed).length,
      unexpectedCloses,
      gatewayRssMiB: round(rssMiB(gateway) ?? NaN, 0),
      applyTimeoutMs: APPLY_TIMEOUT_MS,
      goal: `every connection applied within ${GOAL_MS} ms`,
      goalMet: allWithin,
      runs,
    };
    const md = [
      `### alterMqSessions over ${connectedIdx.length} connected sessions on one gateway`,
      '',
      `Connected ${connectedIdx.length}/${SESSIONS} raw MQTT 5 sessions in ${result.connectSeconds} s` +
        ` (concurrency ${CONCURRENCY}, ${connectFailures.length} failures; ulimit -n ${fdLimit});` +
        ` gateway RSS ${result.gatewayRssMiB} MiB with them. MQFLEET_APPLY_TIMEOUT_MS ${APPLY_TIMEOUT_MS}.` +
        ' Milliseconds from sending the request.',
      '',
      table(
        [
          'run',
          'HTTP reply ms',
          'matched / changed / connected / liveApplied',
          'bulkAltered parts on NATS: n, first / last ms',
          'confirmations on NATS: n, first / last ms',
          `sample of ${sample.length} devices in force: p50 / max ms`,
          'devices seen in force at reply',
          'all devices seen in force ms (sweeps)',
          'goal ≤ 2 s',
        ],
        runs.map((r) => [
          r.run as number,
          r.replyMs as number,
          `${r.matchedSessions} / ${r.changedSessions} / ${r.connectedSessions} / ${r.liveAppliedSessions}`,
          `${r.eventsOnNats}, ${r.firstEventMs} / ${r.lastEventMs}`,
          `${r.confirmationsOnNats}, ${r.firstConfirmationMs} / ${r.lastConfirmationMs}`,
          `${r.sampleInForceP50Ms} / ${r.sampleInForceMaxMs}`,
          `${r.devicesSeenInForceAtReply}/${connectedIdx.length}`,
          `${r.devicesSeenInForce === connectedIdx.length ? r.lastDeviceSeenInForceMs : `only ${r.devicesSeenInForce} seen`} (${r.sweeps})`,
          r.liveAppliedSessions === connectedIdx.length &&
          typeof r.lastConfirmationMs === 'number' &&
          r.lastConfirmationMs <= GOAL_MS
            ? 'met'
            : 'NOT met',
        ]),
      ),
      '',
      'CPU seconds per run (request to last device seen in force):',
      '',
      table(
        ['run', 'wall s', ...Object.keys((runs[0]?.cpuSeconds as Record<string, number>) ?? {})],
        runs.map((r) => [
          r.run as number,
          r.wallSeconds as number,
          ...Object.values(r.cpuSeconds as Record<string, number>),
        ]),
      ),
      '',
      `Sessions still connected afterwards: ${result.stillConnected}/${connectedIdx.length}` +
        ` (unexpected closes: ${unexpectedCloses}).`,
    ].join('\n');
    report('bulk-10k', result, md);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
