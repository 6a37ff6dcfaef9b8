// The gRPC contract of mqfleet (package mqfleet.v1): the loaded service definitions and the
// TypeScript types generated from proto/ by scripts/proto-gen.mjs. Never edit src/generated.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as SessionProto } from './generated/session';
import type { ProtoGrpcType as AuthProto } from './generated/auth';

/** Folder holding the .proto files (the repository's proto/). */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
export const PROTO_FILES = ['mqfleet/v1/session.proto', 'mqfleet/v1/auth.proto'];

/** Options shared by every loader of our protos: enums as names, 64-bit integers as strings. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  bytes: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export const packageDefinition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as SessionProto & AuthProto;

export const v1 = loaded.mqfleet.v1;
export const SessionServiceClient = v1.SessionService;
export const AuthServiceClient = v1.AuthService;

export type { SessionServiceClient as SessionServiceClientType } from './generated/mqfleet/v1/SessionService';
export type { SessionServiceHandlers } from './generated/mqfleet/v1/SessionService';
export type { AuthServiceClient as AuthServiceClientType } from './generated/mqfleet/v1/AuthService';
export type { AuthServiceHandlers } from './generated/mqfleet/v1/AuthService';
export type { Session, Session__Output } from './generated/mqfleet/v1/Session';
export type { SessionSettings, SessionSettings__Output } from './generated/mqfleet/v1/SessionSettings';
export type { SessionPatch, SessionPatch__Output } from './generated/mqfleet/v1/SessionPatch';
export type { ConnectionInfo, ConnectionInfo__Output } from './generated/mqfleet/v1/ConnectionInfo';
export type {
  ConnectDeclaration,
  ConnectDeclaration__Output,
} from './generated/mqfleet/v1/ConnectDeclaration';
export type {
  OpenSessionRequest,
  OpenSessionRequest__Output,
} from './generated/mqfleet/v1/OpenSessionRequest';
export type {
  OpenSessionResponse,
  OpenSessionResponse__Output,
} from './generated/mqfleet/v1/OpenSessionResponse';
export type {
  CloseSessionRequest,
  CloseSessionRequest__Output,
} from './generated/mqfleet/v1/CloseSessionRequest';
export type {
  CloseSessionResponse,
  CloseSessionResponse__Output,
} from './generated/mqfleet/v1/CloseSessionResponse';
export type {
  AlterSessionRequest,
  AlterSessionRequest__Output,
} from './generated/mqfleet/v1/AlterSessionRequest';
export type {
  AlterSessionResponse,
  AlterSessionResponse__Output,
} from './generated/mqfleet/v1/AlterSessionResponse';
export type {
  DescribeSessionsRequest,
  DescribeSessionsRequest__Output,
} from './generated/mqfleet/v1/DescribeSessionsRequest';
export type {
  DescribeSessionsResponse,
  DescribeSessionsResponse__Output,
} from './generated/mqfleet/v1/DescribeSessionsResponse';
export type { UserProperty, UserProperty__Output } from './generated/mqfleet/v1/UserProperty';
export type { SessionStatus__Output as SessionStatus } from './generated/mqfleet/v1/SessionStatus';
export type { CreateTokenRequest__Output } from './generated/mqfleet/v1/CreateTokenRequest';
export type {
  CreateTokenResponse,
  CreateTokenResponse__Output,
} from './generated/mqfleet/v1/CreateTokenResponse';
export type { WhoAmIResponse, WhoAmIResponse__Output } from './generated/mqfleet/v1/WhoAmIResponse';
export type {
  ListGatewaysResponse,
  ListGatewaysResponse__Output,
} from './generated/mqfleet/v1/ListGatewaysResponse';
export type { GatewayInfo, GatewayInfo__Output } from './generated/mqfleet/v1/GatewayInfo';
