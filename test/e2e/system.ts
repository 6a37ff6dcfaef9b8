// End-to-end fixture: the whole system as separate processes, the way operators run it — one
// session-service (or several behind a round-robin TCP proxy, as behind a Kubernetes Service),
// one api-gateway and N connection-gateways (node services/<name>/dist/main.js) on a fresh
// database and NATS prefix — plus helpers that talk to it only through its external
// contracts: HTTP POST /api, GET /health/ready and MQTT (MQTT.js, protocol 5 or 3.1.1).
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'nats';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import {
  createInfra,
  freePort,
  startService,
  until,
  type Infra,
  TcpProxy,
  type ServiceProcess,
} from '@mqfleet/testkit';

export interface ApiResponse {
  /** HTTP status. */
  status: number;
  // The FairCom envelope: {result, errorCode, errorMessage, requestId, authToken[, debugInfo]}.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

export interface GatewayProcess {
  process: ServiceProcess;
  /** The MQTT (TCP) port this gateway listens on. */
  port: number;
}

export interface System {
  infra: Infra;
  /** The first session-service. */
  sessionService: ServiceProcess;
  /** Every session-service started (one unless `sessionServices` said more). */
  sessionServices: ServiceProcess[];
  /**
   * With several session-services: the proxy the api-gateway and the gateways reach them through
   * (MQFLEET_SESSION_SERVICE), round robin over their gRPC ports.
   */
  sessionServiceProxy: TcpProxy | undefined;
  apiGateway: ServiceProcess;
  gateways: GatewayProcess[];
  /** Every service process, in start order. */
  processes: ServiceProcess[];
  httpPort: number;
  baseUrl: string;
  /** A FairCom JSON action through a real HTTP POST /api. */
  api(
    action: string,
    params?: Record<string, unknown>,
    options?: { api?: string; authToken?: string },
  ): Promise<ApiResponse>;
  /** POST /api with an arbitrary body (for malformed requests). */
  postRaw(body: string, contentType?: string): Promise<ApiResponse>;
  /** createSession ADMIN/ADMIN → authToken (cached). */
  login(): Promise<string>;
  /** The environment every service of this system got (DATABASE_URL, NATS_URL, ports, `env`). */
  env: Record<string, string>;
  /**
   * Starts gateway `index` again on its port (so with the same gateway id), e.g. after it was
   * killed; `env` is added to the system's. Replaces gateways[index].
   */
  startGateway(index: number, env?: Record<string, string>): Promise<GatewayProcess>;
  /** Stops the api-gateway (SIGTERM) and starts it again on its port; replaces apiGateway. */
  restartApiGateway(): Promise<void>;
  /** An MQTT.js client on gateway `gateway` that never reconnects by itself; closed by close(). */
  mqtt(clientId: string, options?: IClientOptions, gateway?: number): Promise<MqttClient>;
  /** Stops every process and drops the database / NATS prefix. */
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 30000;

export async function startSystem(
  options: {
    gateways?: number;
    /** Session-services on the same database and NATS, behind a TCP proxy when more than one. */
    sessionServices?: number;
    env?: Record<string, string>;
    /** A NATS server of the test's own (JetStream on) instead of the shared one. */
    natsUrl?: string;
    /** The NATS client options (a login) the fixture itself needs on that server. */
    natsOptions?: ConnectionOptions;
    /** The services' NATS prefix on that server, instead of a random one (createInfra). */
    natsPrefix?: string;
    /** Environment added for one gateway (by index), e.g. its own NATS_URL. */
    gatewayEnv?: Record<number, Record<string, string>>;
  } = {},
): Promise<System> {
  const gatewayCount = options.gateways ?? 1;
  const infra = await createInfra({
    ...(options.natsUrl === undefined ? {} : { natsUrl: options.natsUrl }),
    ...(options.natsOptions === undefined ? {} : { natsOptions: options.natsOptions }),
    ...(options.natsPrefix === undefined ? {} : { natsPrefix: options.natsPrefix }),
  });
  const processes: ServiceProcess[] = [];
  const clients = new Set<MqttClient>();
  const gateways: GatewayProcess[] = [];
  let token: string | undefined;
  let sessionServiceProxy: TcpProxy | undefined;

  const close = async (): Promise<void> => {
    for (const client of clients) client.end(true);
    clients.clear();
    // Gateways first (they call the session-service on the way out), then the rest.
    await Promise.allSettled(gateways.map((g) => g.process.stop()));
    await Promise.allSettled(processes.map((p) => p.stop()));
    await sessionServiceProxy?.close();
    await infra.close();
  };

  try {
    const grpcPort = await freePort();
    /**
     * Starts a service on a port that was free a moment ago; when another process took it in
     * between (many test files run at once, and every outgoing connection takes a local port
     * too), tries another free port.
     */
    const onFreePort = async <T>(start: (port: number) => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await start(await freePort());
        } catch (err) {
          if (attempt >= 3 || !String((err as Error)?.message).includes('EADDRINUSE')) throw err;
        }
      }
    };
    const common = {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_HOST: '127.0.0.1',
      MQFLEET_GATEWAYS: String(gatewayCount),
      MQFLEET_GRPC_PORT: String(grpcPort),
      MQFLEET_SESSION_SERVICE: `127.0.0.1:${grpcPort}`,
      ...options.env,
    };
    const sessionServiceCount = options.sessionServices ?? 1;
    let sessionServices: ServiceProcess[];
    if (sessionServiceCount === 1) {
      sessionServices = [await startService('session-service', common)];
      processes.push(...sessionServices);
    } else {
      // Each on its own gRPC port, started together (their migrations meet at start); the others
      // reach them through one address, as through a Kubernetes Service.
      const proxy = new TcpProxy(
        Array.from({ length: sessionServiceCount }, () => ({ host: '127.0.0.1', port: 0 })),
      );
      sessionServiceProxy = proxy;
      await proxy.start();
      common.MQFLEET_SESSION_SERVICE = proxy.url;
      const started = await Promise.allSettled(
        proxy.targets.map((target) =>
          onFreePort(async (port) => {
            target.port = port;
            return startService('session-service', { ...common, MQFLEET_GRPC_PORT: String(port) });
          }),
        ),
      );
      sessionServices = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      processes.push(...sessionServices);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    const sessionService = sessionServices[0]!;
    let httpPort = 0;
    const apiGateway = await onFreePort((port) => {
      httpPort = port;
      return startService('api-gateway', { ...common, MQFLEET_HTTP_PORT: String(port) });
    });
    processes.push(apiGateway);
    const startGatewayOn = async (
      index: number,
      port: number,
      env: Record<string, string> = {},
    ): Promise<GatewayProcess> => {
      // Gateway i listens on MQFLEET_MQTT_PORT + i.
      const gateway = await startService('connection-gateway', {
        ...common,
        ...options.gatewayEnv?.[index],
        ...env,
        MQFLEET_MQTT_PORT: String(port - index),
        MQFLEET_GATEWAY_INDEX: String(index),
      });
      processes.push(gateway);
      const started = { process: gateway, port };
      gateways[index] = started;
      return started;
    };
    for (let index = 0; index < gatewayCount; index++) {
      // Aim port - index + index at a port that is free now. Another test may take it between the
      // probe and the gateway's listen (many files run at once): then another free port is tried.
      for (let attempt = 1; ; attempt++) {
        try {
          await startGatewayOn(index, await freePort());
          break;
        } catch (err) {
          if (attempt >= 3 || !String((err as Error)?.message).includes('EADDRINUSE')) throw err;
        }
      }
    }
    const startGateway = (index: number, env?: Record<string, string>): Promise<GatewayProcess> => {
      const existing = gateways[index];
      if (!existing) throw new Error(`no gateway ${index}`);
      return startGatewayOn(index, existing.port, env);
    };

    const baseUrl = `http://127.0.0.1:${httpPort}`;
    const ready = async (): Promise<void> => {
      await until(
        async () => {
          try {
            const res = await fetch(`${baseUrl}/health/ready`);
            await res.arrayBuffer();
            return res.status === 200;
          } catch {
            return false;
          }
        },
        READY_TIMEOUT_MS,
        100,
      );
    };
    await ready();

    const postRaw = async (body: string, contentType = 'application/json'): Promise<ApiResponse> => {
      const res = await fetch(`${baseUrl}/api`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal: AbortSignal.timeout(10000),
      });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text) as ApiResponse['body'] };
    };

    const api: System['api'] = (action, params = {}, opts = {}) =>
      postRaw(
        JSON.stringify({
          api: opts.api ?? (action === 'createSession' || action === 'pingSession' ? 'admin' : 'mq'),
          action,
          params,
          requestId: `e2e-${action}`,
          ...(opts.authToken === undefined ? {} : { authToken: opts.authToken }),
        }),
      );

    const login = async (): Promise<string> => {
      if (token) return token;
      const res = await api('createSession', { username: 'ADMIN', password: 'ADMIN' }, { api: 'admin' });
      if (res.status !== 200 || res.body.errorCode !== 0 || typeof res.body.authToken !== 'string') {
        throw new Error(`createSession failed: ${JSON.stringify(res.body)}`);
      }
      token = res.body.authToken as string;
      return token;
    };

    const connectMqtt = async (
      clientId: string,
      mqttOptions: IClientOptions = {},
      gateway = 0,
    ): Promise<MqttClient> => {
      const target = gateways[gateway];
      if (!target) throw new Error(`no gateway ${gateway}`);
      const client = mqtt.connect(`mqtt://127.0.0.1:${target.port}`, {
        clientId,
        protocolVersion: 5,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...mqttOptions,
      });
      clients.add(client);
      try {
        await new Promise<void>((resolve, reject) => {
          const onConnect = (): void => {
            client.off('error', onError);
            resolve();
          };
          const onError = (err: Error): void => {
            client.off('connect', onConnect);
            reject(err);
          };
          client.once('connect', onConnect);
          client.once('error', onError);
        });
      } catch (err) {
        client.end(true);
        clients.delete(client);
        throw err;
      }
      return client;
    };

    const system: System = {
      infra,
      sessionService,
      sessionServices,
      sessionServiceProxy,
      apiGateway,
      gateways,
      processes,
      httpPort,
      baseUrl,
      api,
      postRaw,
      login,
      mqtt: connectMqtt,
      env: common,
      startGateway,
      async restartApiGateway() {
        await system.apiGateway.stop('SIGTERM');
        system.apiGateway = await startService('api-gateway', {
          ...common,
          MQFLEET_HTTP_PORT: String(httpPort),
        });
        processes.push(system.apiGateway);
        await ready();
      },
      close,
    };
    return system;
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** Ends an MQTT.js client cleanly (DISCONNECT) if it is connected, forcibly otherwise. */
export async function endClient(client: MqttClient): Promise<void> {
  if (client.connected) await client.endAsync();
  else client.end(true);
}

/** Every message the client receives from now on, in arrival order. */
export function recordMessages(client: MqttClient): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, packet }));
  return messages;
}

/** Resolves with the first message (from now on) that satisfies the predicate. */
export function messageMatching(
  client: MqttClient,
  predicate: (m: ReceivedMessage) => boolean,
  timeoutMs = 5000,
): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
      const m = { topic, payload, packet };
      if (!predicate(m)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(m);
    };
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no matching message within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('message', onMessage);
  });
}

/** The MQTT 5 user properties of a received message as a plain record. */
export function userProperties(m: ReceivedMessage): Record<string, string | string[]> {
  return (m.packet.properties?.userProperties ?? {}) as Record<string, string | string[]>;
}

/** A QoS 1 publish that resolves with the error (if any) and the PUBACK reason code. */
export function publishQos1(
  client: MqttClient,
  topic: string,
  payload: string,
): Promise<{ error: (Error & { code?: number }) | undefined; reasonCode: number | undefined }> {
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1 }, (error, packet) => {
      const fromError = (error as (Error & { code?: number }) | undefined)?.code;
      const fromPacket = (packet as { reasonCode?: number } | undefined)?.reasonCode;
      resolve({
        error: error as (Error & { code?: number }) | undefined,
        reasonCode: fromError ?? fromPacket ?? (error ? undefined : 0),
      });
    });
  });
}

/** MQTT.js's typed emitter as a plain EventEmitter, for testkit nextEvent / eventMatching. */
export function asEmitter(client: MqttClient): EventEmitter {
  return client as unknown as EventEmitter;
}

/**
 * alterMqSession that must succeed and be in force on the live connection (liveApplied);
 * returns the rendered session.
 */
export async function alterLive(
  system: System,
  authToken: string,
  clientName: string,
  changes: Record<string, unknown>,
): Promise<ApiResponse['body']> {
  const res = await system.api('alterMqSession', { clientName, ...changes }, { authToken });
  assert.equal(res.body.errorCode, 0, res.body.errorMessage);
  assert.equal(res.body.result.liveApplied, true, `liveApplied for ${JSON.stringify(changes)}`);
  return res.body.result;
}

/**
 * What services logged about some client ids (JSON lines naming one of them), across processes,
 * in time order, the last `max`: for a failure's message, since CI keeps only the message.
 */
export function logLinesAbout(processes: Iterable<ServiceProcess>, names: string[], max = 80): string {
  const timeOf = (line: string): string => /"time":"([^"]+)"/.exec(line)?.[1] ?? '';
  return [...new Set(processes)]
    .flatMap((proc, i) =>
      proc.lines
        .filter((line) => names.some((name) => line.includes(`"${name}"`)))
        .map((line) => `${proc.name}#${i}: ${line}`),
    )
    .sort((a, b) => timeOf(a).localeCompare(timeOf(b)))
    .slice(-max)
    .join('\n');
}
