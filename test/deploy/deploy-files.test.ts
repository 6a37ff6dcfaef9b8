// deploy/compose.yaml, deploy/Dockerfile and the Kubernetes manifests (as `kubectl kustomize
// deploy/k8s` builds them) describe one topology, so they must agree with each other, with the
// settings table (packages/core/src/config-settings.ts) and with what
// test/e2e/deploy-topology.test.ts runs as processes: the same command per service, the same
// variable names (each one a setting the services know, each service's whole environment one
// they start with), a 3-node NATS cluster with JetStream whose streams have 3 replicas, and ports
// that agree between the settings, the containers, their probes, the Services and the health checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CLI_VARIABLES,
  DEFAULT_METRICS_PORT,
  DEFAULT_STREAM_LIMITS,
  KEY_OF_VARIABLE,
  loadConfig,
  STREAM_KINDS,
} from '@mqfleet/core';
import {
  composeEnvOf,
  composeFile,
  composeServicesOf,
  deployTopology,
  find,
  k8sEnvOf,
  k8sWorkloadOf,
  kustomizeBuild,
  REPO_ROOT,
  SERVICES,
  type Json,
  type ServiceName,
} from './manifests';

const objects = kustomizeBuild();
const compose = composeFile();
const natsConf = readFileSync(path.join(REPO_ROOT, 'deploy/nats/nats.conf'), 'utf8');
const k8sNatsConf = find(objects, 'ConfigMap', 'nats-config').data['nats.conf'] as string;
const dockerfile = readFileSync(path.join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');

/** Offset of each service's metrics port from MQFLEET_METRICS_PORT (docs/operations.md). */
const METRICS_OFFSET: Record<ServiceName, number> = {
  'session-service': 0,
  'api-gateway': 1,
  'connection-gateway': 2,
};

/**
 * Variables one deploy file sets and the other does not, and why (deploy/README.md). Anything
 * else set on one side only fails the test.
 */
const ONE_SIDED: Record<ServiceName, { composeOnly: string[]; k8sOnly: string[] }> = {
  // The ConfigMap mqfleet-config is shared: every pod gets all three listening ports.
  'session-service': { composeOnly: [], k8sOnly: ['MQFLEET_HTTP_PORT', 'MQFLEET_MQTT_PORT'] },
  // Compose's api-gateway waits for both of its gateways; in Kubernetes one live gateway (the
  // default) keeps it ready, whatever the HPA does.
  'api-gateway': { composeOnly: ['MQFLEET_GATEWAYS'], k8sOnly: ['MQFLEET_GRPC_PORT', 'MQFLEET_MQTT_PORT'] },
  // Compose serves MQTT over WebSocket too; the manifests serve TCP only.
  'connection-gateway': {
    composeOnly: ['MQFLEET_WS_PORT', 'MQFLEET_LISTENERS'],
    k8sOnly: ['MQFLEET_GRPC_PORT', 'MQFLEET_HTTP_PORT'],
  },
};
/**
 * Values that differ by design: the gateway id, where the NATS seed is mounted, and the database
 * URL (compose assembles it for its own Postgres; Kubernetes takes it from the Secret).
 */
const DIFFERENT_VALUES = new Set(['MQFLEET_GATEWAY_ID', 'MQFLEET_NATS_NKEY_SEED_FILE', 'DATABASE_URL']);

function k8sEnv(service: ServiceName): Record<string, string> {
  const { workload, container } = k8sWorkloadOf(objects, service);
  return k8sEnvOf(objects, workload, container);
}

/** A setting of a nats.conf text: `key: value` at the given indentation. */
function confValue(conf: string, key: string, indent = 0): string | undefined {
  const m = new RegExp(`^ {${indent}}${key}: (.+)$`, 'm').exec(conf);
  return m?.[1]?.trim();
}

function confBlock(conf: string, name: string): string {
  const m = new RegExp(`^\\s*${name} \\{\\n([\\s\\S]*?)\\n\\s*\\}`, 'm').exec(conf);
  assert.ok(m, `a ${name} block`);
  return m[1]!;
}

function bytesOf(size: string): number {
  const m = /^(\d+)(MB|GB)$/.exec(size);
  assert.ok(m, size);
  return Number(m[1]) * (m[2] === 'GB' ? 1024 ** 3 : 1024 ** 2);
}

/** A container port by name or number → its number. */
function portNumber(container: Json, port: string | number): number {
  if (typeof port === 'number') {
    assert.ok(
      container.ports.some((p: Json) => p.containerPort === port),
      `${container.name}: ${port} is a container port`,
    );
    return port;
  }
  const named = container.ports.find((p: Json) => p.name === port);
  assert.ok(named, `${container.name}: port "${port}" is declared`);
  return named.containerPort;
}

test('compose, the manifests and the Dockerfile start each service with the same command', () => {
  for (const service of SERVICES) {
    const { container } = k8sWorkloadOf(objects, service);
    const composed = composeServicesOf(service);
    assert.ok(composed.length > 0, `compose runs ${service}`);
    for (const [name, s] of composed)
      assert.deepEqual(s.command, container.command, `compose ${name} = k8s ${service}`);
    assert.equal(container.image, 'mqfleet:dev', `${service}: the one image, tagged by the kustomization`);
    assert.equal(container.args, undefined);
  }
  // The commands the Dockerfile's header tells to run are the deployed ones too.
  const documented = [...dockerfile.matchAll(/^#\s+docker run \S+ (node .*?\.js)/gm)].map((m) =>
    m[1]!.split(' '),
  );
  assert.equal(documented.length, SERVICES.length);
  for (const argv of documented) {
    const service = SERVICES.find((s) => argv.includes(`services/${s}/dist/main.js`))!;
    assert.deepEqual(
      argv,
      k8sWorkloadOf(objects, service).container.command,
      `Dockerfile comment: ${service}`,
    );
  }
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, 'the Dockerfile has a CMD');
  assert.deepEqual(JSON.parse(cmd[1]!), k8sWorkloadOf(objects, 'api-gateway').container.command);
  // The image's ENV is what both deploy files set again.
  const imageEnv = new Map(
    [...dockerfile.matchAll(/^(?:ENV\s+|\s+)(NODE_ENV|MQFLEET_HOST)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
  );
  assert.deepEqual([...imageEnv.keys()].sort(), ['MQFLEET_HOST', 'NODE_ENV']);
  for (const [name, value] of imageEnv) {
    for (const service of SERVICES) {
      assert.equal(k8sEnv(service)[name], value, `${service} k8s ${name}`);
      for (const [composed, s] of composeServicesOf(service))
        assert.equal(composeEnvOf(s)[name], value, `${composed} ${name}`);
    }
  }
});

test('every MQFLEET_ variable in compose and the manifests is a known setting, and each service starts with its environment', () => {
  const known = (name: string): boolean => KEY_OF_VARIABLE.has(name) || name === 'MQFLEET_CONFIG';
  const configMap = find(objects, 'ConfigMap', 'mqfleet-config').data as Record<string, string>;
  for (const name of Object.keys(configMap).filter((n) => n.startsWith('MQFLEET_')))
    assert.ok(known(name), `ConfigMap mqfleet-config: ${name} is not a setting`);
  let loaded = 0;
  const load = (env: Record<string, string>, where: string): void => {
    for (const name of Object.keys(env).filter((n) => n.startsWith('MQFLEET_'))) {
      assert.ok(known(name), `${where}: ${name} is not a setting (packages/core/src/config-settings.ts)`);
      assert.ok(!CLI_VARIABLES.includes(name), `${where}: ${name} is the CLI's`);
    }
    // The whole environment passes the services' own loader (types, limits, production rules).
    assert.doesNotThrow(() => loadConfig(env, () => '{}'), where);
    loaded++;
  };
  for (const service of SERVICES) {
    load(k8sEnv(service), `k8s ${service}`);
    for (const [name, s] of composeServicesOf(service)) load(composeEnvOf(s), `compose ${name}`);
  }
  assert.equal(loaded, 3 + 4);
  // No service links: Kubernetes would add <SERVICE>_PORT variables, and MQFLEET_* ones stop a service.
  for (const service of SERVICES)
    assert.equal(
      k8sWorkloadOf(objects, service).workload.spec.template.spec.enableServiceLinks,
      false,
      service,
    );
});

test('compose and the manifests give each service the same variables, with the same values', () => {
  for (const service of SERVICES) {
    const k8s = k8sEnv(service);
    for (const [name, s] of composeServicesOf(service)) {
      const env = composeEnvOf(s);
      const composeOnly = Object.keys(env).filter((k) => !(k in k8s));
      const k8sOnly = Object.keys(k8s).filter((k) => !(k in env));
      assert.deepEqual(
        composeOnly.sort(),
        [...ONE_SIDED[service].composeOnly].sort(),
        `only in compose ${name}`,
      );
      assert.deepEqual(k8sOnly.sort(), [...ONE_SIDED[service].k8sOnly].sort(), `only in k8s ${service}`);
      for (const [k, v] of Object.entries(env)) {
        if (k in k8s && !DIFFERENT_VALUES.has(k))
          assert.equal(v, k8s[k], `${k}: compose ${name} vs k8s ${service}`);
      }
    }
  }
});

test('NATS: a 3-node cluster with JetStream in both, and every stream with 3 replicas', () => {
  const topology = deployTopology();
  assert.deepEqual(topology, { natsNodes: 3, sessionServices: 2, gateways: 3, streamReplicas: 3 });
  // Kubernetes: 3 pods whose routes name each of them, one PDB keeping the quorum.
  const sts = find(objects, 'StatefulSet', 'nats');
  const k8sRoutes = [...k8sNatsConf.matchAll(/nats-route:\/\/([\w.-]+):6222/g)].map((m) => m[1]);
  assert.deepEqual(
    k8sRoutes,
    Array.from({ length: sts.spec.replicas }, (_, i) => `nats-${i}.${sts.spec.serviceName}`),
  );
  assert.equal(sts.spec.podManagementPolicy, 'Parallel');
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nats');
  assert.equal(pdb?.spec.maxUnavailable, 1, 'the NATS PDB keeps 2 of 3');
  // Compose: 3 services nats-0..2 with the shared nats.conf, whose routes name them.
  const composeNats = Object.entries(compose.services).filter(([name]) => /^nats-\d$/.test(name));
  assert.deepEqual(
    composeNats.map(([name]) => name),
    ['nats-0', 'nats-1', 'nats-2'],
  );
  for (const [name, s] of composeNats) {
    assert.equal(s.hostname, name);
    assert.equal(s.environment?.NATS_SERVER_NAME, name);
    assert.ok(s.volumes?.includes('./nats/nats.conf:/etc/nats/mqfleet.conf:ro'));
    assert.deepEqual(s.networks?.default?.aliases, ['nats'], `${name} answers as "nats" (NATS_URL)`);
  }
  const composeRoutes = [...natsConf.matchAll(/nats-route:\/\/([\w.-]+):6222/g)].map((m) => m[1]);
  assert.deepEqual(
    composeRoutes,
    composeNats.map(([name]) => name),
  );
  // Both configurations: JetStream on, the same cluster and server settings.
  for (const [where, conf] of [
    ['deploy/nats/nats.conf', natsConf],
    ['k8s nats-config', k8sNatsConf],
  ] as const) {
    assert.equal(confValue(conf, 'server_name'), '$NATS_SERVER_NAME', where);
    const js = confBlock(conf, 'jetstream');
    assert.equal(confValue(js, 'store_dir', 2), '/data', where);
    const cluster = confBlock(conf, 'cluster');
    assert.equal(confValue(cluster, 'name', 2), 'mqfleet', where);
    // Every node holds a replica of every stream: the streams' byte limits must fit each store.
    const streamBytes = STREAM_KINDS.reduce((sum, kind) => sum + DEFAULT_STREAM_LIMITS[kind].maxBytes, 0);
    assert.ok(
      streamBytes <= bytesOf(confValue(js, 'max_file_store', 2)!),
      `${where}: streams fit max_file_store`,
    );
  }
  for (const key of ['port', 'http_port', 'max_payload', 'lame_duck_duration']) {
    assert.ok(confValue(natsConf, key), key);
    assert.equal(confValue(k8sNatsConf, key), confValue(natsConf, key), key);
  }
  assert.equal(/^include (.+)$/m.exec(k8sNatsConf)?.[1], /^include (.+)$/m.exec(natsConf)?.[1]);
  for (const key of ['port', 'connect_retries'])
    assert.equal(
      confValue(confBlock(k8sNatsConf, 'cluster'), key, 2),
      confValue(confBlock(natsConf, 'cluster'), key, 2),
    );
  assert.equal(
    confValue(confBlock(k8sNatsConf, 'jetstream'), 'max_memory_store', 2),
    confValue(confBlock(natsConf, 'jetstream'), 'max_memory_store', 2),
  );
  // streamReplicas: 3 for every mqfleet service in both files, never more than the NATS nodes.
  for (const service of SERVICES) {
    assert.equal(k8sEnv(service).MQFLEET_STREAM_REPLICAS, '3', `k8s ${service}`);
    for (const [name, s] of composeServicesOf(service))
      assert.equal(s.environment?.MQFLEET_STREAM_REPLICAS, '3', name);
  }
  assert.ok(topology.streamReplicas <= topology.natsNodes && composeNats.length >= topology.streamReplicas);
});

test('ports agree: settings, container ports, probes, Services, compose ports and health checks', () => {
  // session-service: gRPC.
  {
    const { workload, container } = k8sWorkloadOf(objects, 'session-service');
    const env = k8sEnv('session-service');
    const grpc = Number(env.MQFLEET_GRPC_PORT);
    assert.equal(portNumber(container, 'grpc'), grpc);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const p = container[probe];
      assert.ok(p, `session-service ${probe}`);
      assert.equal(portNumber(container, p.grpc?.port ?? p.tcpSocket?.port), grpc, probe);
    }
    const svc = find(objects, 'Service', 'session-service');
    assert.equal(svc.spec.ports[0].port, grpc);
    assert.equal(portNumber(container, svc.spec.ports[0].targetPort), grpc);
    assert.deepEqual(svc.spec.selector, workload.spec.selector.matchLabels);
    assert.equal(env.MQFLEET_SESSION_SERVICE, `${svc.metadata.name}:${svc.spec.ports[0].port}`);
    for (const [, s] of composeServicesOf('session-service')) {
      assert.equal(
        s.environment?.MQFLEET_SESSION_SERVICE,
        `session-service:${s.environment?.MQFLEET_GRPC_PORT}`,
      );
      assert.equal(Number(s.environment?.MQFLEET_GRPC_PORT), grpc);
    }
  }
  // api-gateway: HTTP.
  {
    const { workload, container } = k8sWorkloadOf(objects, 'api-gateway');
    const http = Number(k8sEnv('api-gateway').MQFLEET_HTTP_PORT);
    assert.equal(portNumber(container, 'http'), http);
    assert.equal(portNumber(container, container.readinessProbe.httpGet.port), http);
    assert.equal(container.readinessProbe.httpGet.path, '/health/ready');
    assert.equal(portNumber(container, container.livenessProbe.httpGet.port), http);
    assert.equal(container.livenessProbe.httpGet.path, '/health/live');
    const svc = find(objects, 'Service', 'api-gateway');
    assert.equal(portNumber(container, svc.spec.ports[0].targetPort), http);
    assert.deepEqual(svc.spec.selector, workload.spec.selector.matchLabels);
    for (const [name, s] of composeServicesOf('api-gateway')) {
      assert.equal(Number(s.environment?.MQFLEET_HTTP_PORT), http, name);
      assert.ok(
        s.ports?.every((p) => Number(p.split(':').at(-1)) === http),
        `${name} publishes ${http}`,
      );
    }
  }
  // connection-gateway: MQTT on MQFLEET_MQTT_PORT + MQFLEET_GATEWAY_INDEX.
  {
    const { workload, container } = k8sWorkloadOf(objects, 'connection-gateway');
    const env = k8sEnv('connection-gateway');
    const mqtt = Number(env.MQFLEET_MQTT_PORT) + Number(env.MQFLEET_GATEWAY_INDEX);
    assert.equal(portNumber(container, 'mqtt'), mqtt);
    assert.equal(portNumber(container, container.readinessProbe.tcpSocket.port), mqtt);
    assert.equal(portNumber(container, container.livenessProbe.tcpSocket.port), mqtt);
    const svc = find(objects, 'Service', 'connection-gateway');
    assert.equal(portNumber(container, svc.spec.ports[0].targetPort), mqtt);
    assert.deepEqual(svc.spec.selector, workload.spec.selector.matchLabels);
    const hostPorts = new Set<string>();
    const ids = new Set<string>();
    for (const [name, s] of composeServicesOf('connection-gateway')) {
      const e = composeEnvOf(s);
      const index = Number(e.MQFLEET_GATEWAY_INDEX);
      const inside = new Set([Number(e.MQFLEET_MQTT_PORT) + index, Number(e.MQFLEET_WS_PORT) + index]);
      for (const p of s.ports ?? []) {
        const [host, container] = p.split(':');
        assert.ok(inside.has(Number(container)), `${name}: ${p} reaches a port it listens on`);
        assert.ok(!hostPorts.has(host!), `${name}: host port ${host} used once`);
        hostPorts.add(host!);
      }
      assert.ok(!ids.has(e.MQFLEET_GATEWAY_ID!), `${name}: its own gateway id`);
      ids.add(e.MQFLEET_GATEWAY_ID!);
    }
    // The api-gateway in compose waits for exactly the gateways compose runs.
    const apiGateway = composeServicesOf('api-gateway')[0]![1];
    assert.equal(Number(apiGateway.environment?.MQFLEET_GATEWAYS), ids.size);
  }
  // Metrics: MQFLEET_METRICS_PORT + the service's offset, declared and annotated.
  for (const service of SERVICES) {
    const { workload, container } = k8sWorkloadOf(objects, service);
    const metrics = DEFAULT_METRICS_PORT + METRICS_OFFSET[service];
    assert.equal(portNumber(container, 'metrics'), metrics, service);
    assert.equal(workload.spec.template.metadata.annotations['prometheus.io/port'], String(metrics), service);
  }
  // The image exposes what the services listen on.
  const exposed = /^EXPOSE (.+)$/m
    .exec(dockerfile)![1]!
    .split(/\s+/)
    .map(Number)
    .sort((a, b) => a - b);
  assert.deepEqual(exposed, [
    Number(k8sEnv('connection-gateway').MQFLEET_MQTT_PORT),
    Number(k8sEnv('api-gateway').MQFLEET_HTTP_PORT),
    Number(k8sEnv('session-service').MQFLEET_GRPC_PORT),
  ]);
  // NATS: the configuration's ports are the container's, the probes' and the clients'.
  {
    const sts = find(objects, 'StatefulSet', 'nats');
    const container = sts.spec.template.spec.containers[0];
    assert.equal(portNumber(container, 'client'), Number(confValue(k8sNatsConf, 'port')));
    assert.equal(portNumber(container, 'monitor'), Number(confValue(k8sNatsConf, 'http_port')));
    assert.equal(
      portNumber(container, 'cluster'),
      Number(confValue(confBlock(k8sNatsConf, 'cluster'), 'port', 2)),
    );
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
      assert.equal(
        portNumber(container, container[probe].httpGet.port),
        Number(confValue(k8sNatsConf, 'http_port')),
      );
    const natsService = find(objects, 'Service', 'nats');
    assert.equal(
      `nats://${natsService.metadata.name}:${natsService.spec.ports[0].port}`,
      k8sEnv('session-service').NATS_URL,
    );
    assert.equal(
      portNumber(container, natsService.spec.ports[0].targetPort),
      Number(confValue(k8sNatsConf, 'port')),
    );
    for (const [name, s] of Object.entries(compose.services).filter(([n]) => /^nats-\d$/.test(n))) {
      assert.ok(
        s.healthcheck?.test.some((a) => a.includes(`:${confValue(natsConf, 'http_port')}/healthz`)),
        `${name} health check on the monitoring port`,
      );
    }
    for (const service of SERVICES)
      for (const [name, s] of composeServicesOf(service))
        assert.equal(s.environment?.NATS_URL, `nats://nats:${confValue(natsConf, 'port')}`, name);
  }
});
