// Container health check for the mqfleet image (used by the Dockerfile HEALTHCHECK and by
// deploy/compose.yaml). Usage:
//
//   node deploy/healthcheck.cjs [api-gateway|session-service|connection-gateway] [ready]
//
// Without a service name it looks for `services/<name>/dist/main.js` in the command lines of
// the container's processes. Checks:
//   api-gateway         GET /health/live (or /health/ready with "ready") on MQFLEET_HTTP_PORT,
//                       over HTTPS when MQFLEET_HTTP_TLS_CERT_FILE is set (a TCP connect when
//                       MQFLEET_HTTP_TLS_CA_FILE asks for client certificates)
//   session-service     grpc.health.v1.Health/Check (service "") on MQFLEET_GRPC_PORT
//   connection-gateway  TCP connect to its MQTT port + MQFLEET_GATEWAY_INDEX (the first listener's
//                       when MQTT over TCP is off), read like the gateway reads it (environment
//                       and MQFLEET_CONFIG file)
// Exit 0 = healthy, 1 = not. No dependencies beyond what the image already has.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { createRequire } = require('node:module');

const SERVICES = ['api-gateway', 'session-service', 'connection-gateway'];
const ROOT = path.resolve(__dirname, '..');
const TIMEOUT_MS = 3000;
const env = process.env;

function detect() {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const found = SERVICES.find((s) => cmd.includes(`services/${s}/dist/main.js`));
    if (found) return found;
  }
  return undefined;
}

function num(name, fallback) {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

// The services bind MQFLEET_HOST; a wildcard bind is reached on loopback.
const bind = env.MQFLEET_HOST || '127.0.0.1';
const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;

function fail(why) {
  process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(1);
}

function loadConfig() {
  const core = require(path.join(ROOT, 'packages/core/dist/index.js'));
  try {
    return { core, config: core.loadConfig(env) };
  } catch (err) {
    fail(err.message);
  }
}

function checkHttp(ready) {
  const { config } = loadConfig();
  const port = config.httpPort;
  // With client certificates required, a probe without one cannot pass the handshake: the port
  // accepting connections is all it can check (docs/configuration.md, "HTTPS of the JSON API").
  if (config.httpTls && config.httpTls.caFile) return connectTcp(port);
  const client = config.httpTls ? https : http;
  const req = client.get(
    {
      host,
      port,
      path: ready ? '/health/ready' : '/health/live',
      timeout: TIMEOUT_MS,
      // The certificate names the public host, not the loopback address probed here.
      ...(config.httpTls ? { rejectUnauthorized: false } : {}),
    },
    (res) => {
      res.resume();
      if (res.statusCode === 200) process.exit(0);
      fail(`HTTP ${res.statusCode}`);
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => fail(err.message));
}

function checkGrpc() {
  const port = num('MQFLEET_GRPC_PORT', 50051);
  const req = createRequire(path.join(ROOT, 'services/session-service/package.json'));
  const grpc = req('@grpc/grpc-js');
  const { service } = req('grpc-health-check');
  const Health = grpc.makeGenericClientConstructor(service, 'Health');
  const client = new Health(`${host}:${port}`, grpc.credentials.createInsecure());
  client.Check({ service: '' }, { deadline: Date.now() + TIMEOUT_MS }, (err, res) => {
    client.close();
    if (err) fail(err.message);
    if (res.status !== 'SERVING') fail(`status ${res.status}`);
    process.exit(0);
  });
}

function checkTcp() {
  const { core, config } = loadConfig();
  const kind = config.listeners.includes('mqtt') ? 'mqtt' : config.listeners[0];
  connectTcp(core.listenerPort(config, kind));
}

function connectTcp(port) {
  const socket = net.connect({ host, port, timeout: TIMEOUT_MS }, () => {
    socket.destroy();
    process.exit(0);
  });
  socket.on('timeout', () => fail('timeout'));
  socket.on('error', (err) => fail(err.message));
}

const service = process.argv[2] || detect();
const ready = process.argv[3] === 'ready';
if (service === 'api-gateway') checkHttp(ready);
else if (service === 'session-service') checkGrpc();
else if (service === 'connection-gateway') checkTcp();
else fail(`no mqfleet service found (${service ?? 'none running'})`);
