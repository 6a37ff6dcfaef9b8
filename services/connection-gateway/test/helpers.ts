// Shared test fixtures: real NATS + Postgres (testkit), a real session-service process, real
// gateways in this process, MQTT.js clients and a raw-socket client for packets MQTT.js will not
// send.
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as mqttPacket from 'mqtt-packet';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger, loadConfig, type Config, type ListenerKind, type Logger } from '@mqfleet/core';
import {
  AuthServiceClient,
  SessionServiceClient,
  type AlterSessionResponse__Output,
  type CreateTokenResponse__Output,
  type SessionPatch,
} from '@mqfleet/proto';
import {
  createInfra,
  freePort,
  startService,
  TEST_STREAM_LIMITS,
  type Infra,
  type ServiceProcess,
} from '@mqfleet/testkit';
import { buildGateway, type Gateway } from '../src/index';

export interface Cluster {
  infra: Infra;
  /** The current session-service process (restartSessionService replaces it). */
  sessionService: ServiceProcess;
  grpcAddress: string;
  startGateway(overrides?: Record<string, string>): Promise<{
    gateway: Gateway;
    port: number;
    gatewayId: string;
    ports: Partial<Record<ListenerKind, number>>;
  }>;
  alterSession(clientName: string, patch: SessionPatch): Promise<AlterSessionResponse__Output>;
  /** Starts the session-service again (same database, NATS prefix and port) after stop(). */
  restartSessionService(): Promise<void>;
  close(): Promise<void>;
}

const quiet: Logger = process.env.MQFLEET_TEST_VERBOSE
  ? createLogger('connection-gateway', 'debug')
  : createLogger('connection-gateway', 'error', {}, () => undefined);

function unary<Res>(fn: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn((err, res) => (err || !res ? reject(err ?? new Error('no response')) : resolve(res))),
  );
}

export async function startCluster(): Promise<Cluster> {
  const infra = await createInfra();
  const grpcPort = await freePort();
  const sessionServiceEnv = {
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    MQFLEET_NATS_PREFIX: infra.natsPrefix,
    MQFLEET_GRPC_PORT: String(grpcPort),
    MQFLEET_HOST: '127.0.0.1',
  };
  const sessionService = await startService('session-service', sessionServiceEnv);
  const grpcAddress = `127.0.0.1:${grpcPort}`;
  const gateways: Gateway[] = [];
  const sessionClient = new SessionServiceClient(grpcAddress, grpc.credentials.createInsecure());
  const authClient = new AuthServiceClient(grpcAddress, grpc.credentials.createInsecure());
  let token: string | undefined;

  const cluster: Cluster = {
    infra,
    sessionService,
    grpcAddress,
    async startGateway(overrides = {}) {
      const config: Config = loadConfig({
        MQFLEET_MQTT_PORT: '0',
        MQFLEET_MQTTS_PORT: '0',
        MQFLEET_WS_PORT: '0',
        MQFLEET_WSS_PORT: '0',
        MQFLEET_HOST: '127.0.0.1',
        MQFLEET_SESSION_SERVICE: grpcAddress,
        MQFLEET_NATS_PREFIX: infra.natsPrefix,
        NATS_URL: infra.natsUrl,
        ...TEST_STREAM_LIMITS,
        // Closing a test's gateway ends its connections at once; shutdown.test.ts tests the drain.
        MQFLEET_DRAIN_WINDOW_MS: '0',
        ...overrides,
      });
      const gateway = buildGateway(config, quiet);
      gateways.push(gateway);
      return { gateway, ...(await gateway.start()) };
    },
    async alterSession(clientName, patch) {
      if (!token) {
        const created = await unary<CreateTokenResponse__Output>((cb) =>
          authClient.CreateToken({ username: 'ADMIN', password: 'ADMIN' }, cb),
        );
        token = created.token;
      }
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      return unary<AlterSessionResponse__Output>((cb) =>
        sessionClient.AlterSession({ clientName, patch }, metadata, { deadline: Date.now() + 5000 }, cb),
      );
    },
    async restartSessionService() {
      await cluster.sessionService.stop();
      cluster.sessionService = await startService('session-service', sessionServiceEnv);
    },
    async close() {
      await Promise.allSettled(gateways.map((g) => g.close()));
      sessionClient.close();
      authClient.close();
      await cluster.sessionService.stop();
      await infra.close();
    },
  };
  return cluster;
}

/** An MQTT.js client that never reconnects by itself. */
export async function mqttClient(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
}

export async function endClient(client: MqttClient): Promise<void> {
  if (client.connected) await client.endAsync();
  else client.end(true);
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  packet: mqttPacket.IPublishPacket;
}

/** Resolves with the next message the client receives (call before causing it). */
export function nextMessage(client: MqttClient, timeoutMs = 5000): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: mqttPacket.IPublishPacket): void => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload, packet });
    };
    client.on('message', onMessage);
  });
}

/** A raw MQTT connection: write any bytes, read parsed packets in order. */
export class RawClient {
  readonly packets: mqttPacket.Packet[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;

  private constructor(
    readonly socket: Socket,
    readonly protocolVersion: 4 | 5,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (p: mqttPacket.Packet) => {
      this.packets.push(p);
      this.wakeAll();
    });
    socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wakeAll();
    });
  }

  /** With allowHalfOpen, the socket stays writable after the gateway ends its side. */
  static async open(port: number, protocolVersion: 4 | 5 = 4, allowHalfOpen = false): Promise<RawClient> {
    const socket = tcpConnect({ port, host: '127.0.0.1', allowHalfOpen });
    await once(socket, 'connect');
    return new RawClient(socket, protocolVersion);
  }

  send(packet: mqttPacket.Packet): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.protocolVersion }));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next packet received (or undefined if the socket closes first). */
  async next(timeoutMs = 5000): Promise<mqttPacket.Packet | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length === 0) {
      if (this.closed) return undefined;
      if (Date.now() > deadline) throw new Error(`no packet within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.packets.shift();
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    const signal = AbortSignal.timeout(timeoutMs);
    await once(this.socket, 'close', { signal });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export function connectPacket(
  clientId: string,
  options: Partial<mqttPacket.IConnectPacket> = {},
): mqttPacket.IConnectPacket {
  return {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 0,
    clientId,
    ...options,
  };
}
