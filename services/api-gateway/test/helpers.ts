// Shared test helpers: a gateway built from a config, and POST /api through app.inject().
import * as grpc from '@grpc/grpc-js';
import { loadConfig, type Config, type Logger } from '@mqfleet/core';
import { SessionServiceClient } from '@mqfleet/proto';
import {
  createInfra,
  FAKE_GATEWAYS_ENV,
  freePort,
  startService,
  type Infra,
  type ServiceProcess,
} from '@mqfleet/testkit';
import { buildApiGateway, type ApiGateway } from '../src/index';

/** A logger that keeps lines for assertions instead of printing them. */
export function memoryLogger(lines: string[] = []): Logger {
  const log =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(JSON.stringify({ level, msg, ...fields }));
    };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

export function testConfig(env: Record<string, string> = {}): Config {
  // Port 1 on localhost refuses connections: a session-service that is not there.
  return loadConfig({ MQFLEET_SESSION_SERVICE: '127.0.0.1:1', MQFLEET_HTTP_PORT: '0', ...env });
}

export function gateway(env: Record<string, string> = {}, lines?: string[]): ApiGateway {
  return buildApiGateway(testConfig(env), memoryLogger(lines));
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & {
    result: Record<string, unknown>;
    errorCode: number;
    errorMessage: string;
    requestId: unknown;
    authToken: string;
  };
}

export async function post(
  gw: ApiGateway,
  payload: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<ApiResponse> {
  const res = await gw.app.inject({
    method: 'POST',
    url: '/api',
    headers,
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() };
}

/** A real session-service process on a fresh database and NATS prefix, and a gateway in front. */
export interface Backend {
  gw: ApiGateway;
  /** host:port of the session-service's gRPC. */
  grpcAddress: string;
  /** Its database and NATS (subject prefix), for tests that speak on the bus as a gateway would. */
  infra: Infra;
  close(): Promise<void>;
}

export async function startBackend(): Promise<Backend> {
  const infra = await createInfra();
  const grpcPort = await freePort();
  let service: ServiceProcess | undefined;
  try {
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(grpcPort),
      ...FAKE_GATEWAYS_ENV,
    });
  } catch (err) {
    await infra.close();
    throw err;
  }
  const grpcAddress = `127.0.0.1:${grpcPort}`;
  const gw = gateway({ MQFLEET_SESSION_SERVICE: grpcAddress });
  return {
    gw,
    grpcAddress,
    infra,
    async close() {
      await gw.close();
      await service?.stop();
      await infra.close();
    },
  };
}

/** Opens sessions the way a connection-gateway does (MQTT 5, persistent), so there is something to administer. */
export async function openSessions(grpcAddress: string, names: string[]): Promise<void> {
  const client = new SessionServiceClient(grpcAddress, grpc.credentials.createInsecure());
  try {
    for (const name of names) {
      await new Promise((resolve, reject) =>
        client.OpenSession(
          {
            clientName: name,
            gatewayId: 'gw',
            connectionId: `c-${name}`,
            ipAddress: '127.0.0.1',
            declared: { mqttProtocol: '5.0', keepAliveSeconds: 60, sessionExpiryInterval: 4294967295 },
          },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      );
    }
  } finally {
    client.close();
  }
}
