// Starts a real session-service (in-process) on a fresh database and NATS prefix.
import * as grpc from '@grpc/grpc-js';
import {
  createInfra,
  FAKE_GATEWAYS_ENV,
  TEST_HASH_COST,
  TEST_STREAM_LIMITS,
  type Infra,
} from '@mqfleet/testkit';
import { createLogger, loadConfig, type Config } from '@mqfleet/core';
import {
  AccountServiceClient,
  AuthServiceClient,
  SessionServiceClient,
  type AccountServiceClientType,
  type AuthServiceClientType,
  type SessionServiceClientType,
} from '@mqfleet/proto';
import { buildSessionService, type SessionService } from '../src/index';

export interface Harness {
  infra: Infra;
  config: Config;
  service: SessionService;
  /** host:port of the service's gRPC. */
  address: string;
  sessions: SessionServiceClientType;
  auth: AuthServiceClientType;
  accounts: AccountServiceClientType;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const infra = await createInfra();
  const config = loadConfig({
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    MQFLEET_NATS_PREFIX: infra.natsPrefix,
    MQFLEET_GRPC_PORT: '0',
    ...TEST_STREAM_LIMITS,
    ...TEST_HASH_COST,
    ...FAKE_GATEWAYS_ENV,
    ...env,
  });
  const service = buildSessionService(config, createLogger('session-service', 'warn'));
  const { grpcPort } = await service.start();
  const address = `127.0.0.1:${grpcPort}`;
  const sessions = new SessionServiceClient(address, grpc.credentials.createInsecure());
  const auth = new AuthServiceClient(address, grpc.credentials.createInsecure());
  const accounts = new AccountServiceClient(address, grpc.credentials.createInsecure());
  return {
    infra,
    config,
    service,
    address,
    sessions,
    auth,
    accounts,
    async close() {
      sessions.close();
      auth.close();
      accounts.close();
      await service.close();
      await infra.close();
    },
  };
}

type Unary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: Res) => void,
) => unknown;

/** Promise form of a unary call with a 5 s deadline. */
export function call<Req, Res>(
  client: grpc.Client,
  method: Unary<Req, Res>,
  req: Req,
  md = new grpc.Metadata(),
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, md, { deadline: Date.now() + 5000 }, (err, res) =>
      err ? reject(err) : resolve(res!),
    );
  });
}

export function bearer(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

export function declaration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mqttProtocol: '5.0',
    cleanStart: true,
    keepAliveSeconds: 30,
    sessionExpiryInterval: 4294967295,
    receiveMaximum: 100,
    maximumPacketSize: 0,
    topicAliasMaximum: 5,
    requestProblemInformation: true,
    requestResponseInformation: false,
    hasWill: false,
    ...overrides,
  };
}
