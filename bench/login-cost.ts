// What a password login costs, and whether a login flood starves devices (issue 15,
// docs/security.md). Three parts:
//   hash     ms per scrypt hash at N=2^14 (the old parameters) and N=2^17 (OWASP, the default),
//            r=8, p=1, in this process;
//   baseline the whole system as processes (MQFLEET_PASSWORD_HASH_COST=17, the default pool):
//            device CONNECTs a second for --seconds, --devices workers one after the other, each
//            alternating an anonymous CONNECT and one with a password verified before (cached);
//   flood    the same devices while --flooders workers send createSession with wrong passwords as
//            fast as they are answered, each from its own loopback address (127.1.x.y, so the
//            throttle does not hold them back and every attempt reaches the hashing pool):
//            logins checked a second, answered busy, and the devices' CONNECTs a second.
//
//   node --import tsx bench/login-cost.ts [--seconds 10] [--devices 4] [--flooders 32] [--hash-concurrency 2] [--name login-cost]
import { scryptSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { connackCode } from '@mqfleet/testkit';
import { machine, percentile, report, round, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    devices: { type: 'string', default: '4' },
    flooders: { type: 'string', default: '32' },
    'hash-concurrency': { type: 'string', default: '2' },
    name: { type: 'string', default: 'login-cost' },
  },
});
const SECONDS = Number(args.seconds);
const DEVICES = Number(args.devices);
const FLOODERS = Number(args.flooders);

function hashMs(ln: number, reps: number): number {
  const N = 2 ** ln;
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    scryptSync('a password', Buffer.alloc(16, i), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
}

/** One CONNECT's answer (0 or the reason code), MQTT 5 unless `options` say otherwise, 30 s to the CONNACK. */
function connack(port: number, options: IClientOptions, localAddress = '127.0.0.1'): Promise<number> {
  return connackCode(port, { connectTimeout: 30_000, protocolVersion: 5, ...options }, localAddress);
}

function createSession(
  httpPort: number,
  localAddress: string,
  username: string,
  password: string,
): Promise<number> {
  const body = JSON.stringify({ api: 'admin', action: 'createSession', params: { username, password } });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpPort, localAddress, method: 'POST', path: '/api', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve((JSON.parse(Buffer.concat(chunks).toString()) as { errorCode: number }).errorCode),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface DeviceRun {
  connects: number;
  failures: number;
  latencies: number[];
}

async function runDevices(port: number, until: () => boolean): Promise<DeviceRun> {
  const run: DeviceRun = { connects: 0, failures: 0, latencies: [] };
  await Promise.all(
    Array.from({ length: DEVICES }, async (_, w) => {
      for (let i = 0; until(); i++) {
        const started = performance.now();
        const options: IClientOptions =
          i % 2 === 0
            ? { clientId: `device-${w}-${i}` }
            : { clientId: `meter-${w}`, username: 'meter', password: 'meter-pass-1' };
        const code = await connack(port, options);
        run.latencies.push(performance.now() - started);
        if (code === 0) run.connects++;
        else run.failures++;
      }
    }),
  );
  return run;
}

async function main(): Promise<void> {
  const hash14 = hashMs(14, 10);
  const hash17 = hashMs(17, 5);
  process.stdout.write(`scrypt ms per hash: N=2^14 ${round(hash14)}, N=2^17 ${round(hash17)}\n`);

  const system = await startBenchSystem({
    gateway: true,
    env: {
      MQFLEET_PASSWORD_HASH_COST: '17',
      MQFLEET_HASH_CONCURRENCY: args['hash-concurrency'],
      // On a loaded shared machine a hash at 2^17 took seconds: the default 5 s deadline would
      // time out the measurement itself.
      MQFLEET_GRPC_DEADLINE_MS: '30000',
    },
  });
  const removeInterrupt = onInterrupt(() => system.close());
  try {
    const token = await system.login();
    const created = await system.http.post({
      api: 'admin',
      action: 'createAccount',
      authToken: token,
      params: { username: 'meter', password: 'meter-pass-1', role: 'user' },
    });
    if (created.body.errorCode !== 0) throw new Error(`createAccount: ${created.body.errorMessage}`);
    if (
      (await connack(system.mqttPort, {
        clientId: 'meter-0',
        username: 'meter',
        password: 'meter-pass-1',
      })) !== 0
    )
      throw new Error('the meter account does not log in');

    let end = Date.now() + SECONDS * 1000;
    const baseline = await runDevices(system.mqttPort, () => Date.now() < end);

    end = Date.now() + SECONDS * 1000;
    const logins = { checked: 0, busy: 0, throttled: 0, other: 0 };
    let n = 0;
    const flood = Promise.all(
      Array.from({ length: FLOODERS }, async () => {
        while (Date.now() < end) {
          const i = n++;
          const address = `127.1.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
          const code = await createSession(system.httpPort, address, `guess-${i % 1000}`, `wrong-${i}`);
          if (code === 12033) logins.checked++;
          else if (code === 12043) logins.busy++;
          else if (code === 12042) logins.throttled++;
          else logins.other++;
        }
      }),
    );
    const during = await runDevices(system.mqttPort, () => Date.now() < end);
    await flood;

    const perSecond = (x: number): number => round(x / SECONDS);
    const rows = [
      [
        'devices alone',
        '',
        '',
        perSecond(baseline.connects),
        baseline.failures,
        round(percentile(baseline.latencies, 50)),
        round(percentile(baseline.latencies, 99)),
      ],
      [
        `devices + ${FLOODERS} flooders`,
        perSecond(logins.checked),
        perSecond(logins.busy),
        perSecond(during.connects),
        during.failures,
        round(percentile(during.latencies, 50)),
        round(percentile(during.latencies, 99)),
      ],
    ];
    const markdown = [
      `Load average at the end: ${loadavg()
        .map((l) => round(l, 2))
        .join(', ')} (2 cores, shared).`,
      '',
      `MQFLEET_HASH_CONCURRENCY=${args['hash-concurrency']}.`,
      '',
      `scrypt, r=8, p=1, one hash in this process: N=2^14 ${round(hash14)} ms, N=2^17 ${round(hash17)} ms (median).`,
      '',
      table(
        [
          'phase',
          'wrong logins checked/s',
          'answered busy/s',
          'device CONNECTs/s',
          'device failures',
          'CONNECT p50 ms',
          'CONNECT p99 ms',
        ],
        rows,
      ),
    ].join('\n');
    report(
      args.name,
      {
        machine: machine(),
        seconds: SECONDS,
        devices: DEVICES,
        flooders: FLOODERS,
        hash14,
        hash17,
        baseline: { ...baseline, latencies: undefined },
        during: { ...during, latencies: undefined },
        logins,
      },
      markdown,
    );
  } finally {
    removeInterrupt();
    await system.close();
  }
}

runMain(main);
