// The gRPC contract of mqfleet (package mqfleet.v1): the loaded service definitions and the
// TypeScript types generated from proto/ by scripts/proto-gen.mjs. Never edit src/generated.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as SessionProto } from './generated/session';
import type { ProtoGrpcType as AuthProto } from './generated/auth';
import type { ProtoGrpcType as AccountsProto } from './generated/accounts';
import type { ProtoGrpcType as LabelsProto } from './generated/labels';
import type { ProtoGrpcType as TopicsProto } from './generated/topics';

/**
 * Folder holding the .proto files: the package's own proto/, a copy of the repository's proto/
 * made by scripts/copy-protos.mjs (build, proto:gen, prepack), so that an installed package reads
 * nothing outside itself. The same from src/ (tsx) and from dist/.
 */
export const PROTO_ROOT = path.resolve(__dirname, '../proto');
export const PROTO_FILES = [
  'mqfleet/v1/session.proto',
  'mqfleet/v1/auth.proto',
  'mqfleet/v1/accounts.proto',
  'mqfleet/v1/labels.proto',
  'mqfleet/v1/topics.proto',
];

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
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as SessionProto &
  AuthProto &
  AccountsProto &
  LabelsProto &
  TopicsProto;

export const v1 = loaded.mqfleet.v1;
export const SessionServiceClient = v1.SessionService;
export const AuthServiceClient = v1.AuthService;
export const AccountServiceClient = v1.AccountService;
export const LabelServiceClient = v1.LabelService;
export const TopicsClient = v1.Topics;

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
export type { BatchFailure, BatchFailure__Output } from './generated/mqfleet/v1/BatchFailure';
export type {
  OpenSessionsRequest,
  OpenSessionsRequest__Output,
} from './generated/mqfleet/v1/OpenSessionsRequest';
export type {
  OpenSessionsResponse,
  OpenSessionsResponse__Output,
} from './generated/mqfleet/v1/OpenSessionsResponse';
export type {
  CloseSessionsRequest,
  CloseSessionsRequest__Output,
} from './generated/mqfleet/v1/CloseSessionsRequest';
export type {
  CloseSessionsResponse,
  CloseSessionsResponse__Output,
} from './generated/mqfleet/v1/CloseSessionsResponse';
export type {
  AlterSessionRequest,
  AlterSessionRequest__Output,
} from './generated/mqfleet/v1/AlterSessionRequest';
export type {
  AlterSessionResponse,
  AlterSessionResponse__Output,
} from './generated/mqfleet/v1/AlterSessionResponse';
export type {
  CreateMqApiSessionRequest,
  CreateMqApiSessionRequest__Output,
} from './generated/mqfleet/v1/CreateMqApiSessionRequest';
export type {
  CreateMqApiSessionResponse,
  CreateMqApiSessionResponse__Output,
} from './generated/mqfleet/v1/CreateMqApiSessionResponse';
export type { PublishMessage, PublishMessage__Output } from './generated/mqfleet/v1/PublishMessage';
export type { PublishRequest, PublishRequest__Output } from './generated/mqfleet/v1/PublishRequest';
export type { PublishResponse, PublishResponse__Output } from './generated/mqfleet/v1/PublishResponse';
export type { StoredMessage, StoredMessage__Output } from './generated/mqfleet/v1/StoredMessage';
export type {
  GetTopicMessagesRequest,
  GetTopicMessagesRequest__Output,
} from './generated/mqfleet/v1/GetTopicMessagesRequest';
export type {
  GetTopicMessagesResponse,
  GetTopicMessagesResponse__Output,
} from './generated/mqfleet/v1/GetTopicMessagesResponse';
export type {
  GetMessagesRequest,
  GetMessagesRequest__Output,
} from './generated/mqfleet/v1/GetMessagesRequest';
export type {
  GetMessagesResponse,
  GetMessagesResponse__Output,
} from './generated/mqfleet/v1/GetMessagesResponse';
export type { ReceiveRequest, ReceiveRequest__Output } from './generated/mqfleet/v1/ReceiveRequest';
export type {
  ListMqApiSessionsRequest,
  ListMqApiSessionsRequest__Output,
} from './generated/mqfleet/v1/ListMqApiSessionsRequest';
export type {
  ListMqApiSessionsResponse,
  ListMqApiSessionsResponse__Output,
} from './generated/mqfleet/v1/ListMqApiSessionsResponse';
export type {
  AlterSessionStreamRequest,
  AlterSessionStreamRequest__Output,
} from './generated/mqfleet/v1/AlterSessionStreamRequest';
export type {
  AlterSessionStreamResult,
  AlterSessionStreamResult__Output,
} from './generated/mqfleet/v1/AlterSessionStreamResult';
export type {
  DescribeSessionsRequest,
  DescribeSessionsRequest__Output,
} from './generated/mqfleet/v1/DescribeSessionsRequest';
export type {
  DescribeSessionsResponse,
  DescribeSessionsResponse__Output,
} from './generated/mqfleet/v1/DescribeSessionsResponse';
export type { Subscription, Subscription__Output } from './generated/mqfleet/v1/Subscription';
export type {
  ChangeSubscriptionsRequest,
  ChangeSubscriptionsRequest__Output,
} from './generated/mqfleet/v1/ChangeSubscriptionsRequest';
export type {
  ChangeSubscriptionsResponse,
  ChangeSubscriptionsResponse__Output,
} from './generated/mqfleet/v1/ChangeSubscriptionsResponse';
export type {
  ChangeSubscriptionsBatchRequest,
  ChangeSubscriptionsBatchRequest__Output,
} from './generated/mqfleet/v1/ChangeSubscriptionsBatchRequest';
export type {
  ChangeSubscriptionsBatchResponse,
  ChangeSubscriptionsBatchResponse__Output,
} from './generated/mqfleet/v1/ChangeSubscriptionsBatchResponse';
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
export type { DescribeAlterationPropagationRequest__Output } from './generated/mqfleet/v1/DescribeAlterationPropagationRequest';
export type {
  DescribeAlterationPropagationResponse,
  DescribeAlterationPropagationResponse__Output,
} from './generated/mqfleet/v1/DescribeAlterationPropagationResponse';
export type {
  SessionEventNotice,
  SessionEventNotice__Output,
} from './generated/mqfleet/v1/SessionEventNotice';
export type { WatchSessionEventsRequest__Output } from './generated/mqfleet/v1/WatchSessionEventsRequest';
export type {
  ListSessionNamesRequest,
  ListSessionNamesRequest__Output,
} from './generated/mqfleet/v1/ListSessionNamesRequest';
export type {
  ListSessionNamesResponse,
  ListSessionNamesResponse__Output,
} from './generated/mqfleet/v1/ListSessionNamesResponse';
export type { KeptWill, KeptWill__Output } from './generated/mqfleet/v1/KeptWill';
export type { KeepWillsRequest, KeepWillsRequest__Output } from './generated/mqfleet/v1/KeepWillsRequest';
export type { KeepWillsResponse, KeepWillsResponse__Output } from './generated/mqfleet/v1/KeepWillsResponse';
export type { GatewayInfo, GatewayInfo__Output } from './generated/mqfleet/v1/GatewayInfo';
export type { SessionFilter, SessionFilter__Output } from './generated/mqfleet/v1/SessionFilter';
export type {
  ListSessionsRequest,
  ListSessionsRequest__Output,
} from './generated/mqfleet/v1/ListSessionsRequest';
export type {
  ListSessionsResponse,
  ListSessionsResponse__Output,
} from './generated/mqfleet/v1/ListSessionsResponse';
export type {
  DeleteSessionRequest,
  DeleteSessionRequest__Output,
} from './generated/mqfleet/v1/DeleteSessionRequest';
export type {
  DeleteSessionResponse,
  DeleteSessionResponse__Output,
} from './generated/mqfleet/v1/DeleteSessionResponse';
export type {
  AlterSessionsRequest,
  AlterSessionsRequest__Output,
} from './generated/mqfleet/v1/AlterSessionsRequest';
export type {
  AlterSessionsResponse,
  AlterSessionsResponse__Output,
} from './generated/mqfleet/v1/AlterSessionsResponse';
export type {
  GetSessionAuditRequest,
  GetSessionAuditRequest__Output,
} from './generated/mqfleet/v1/GetSessionAuditRequest';
export type {
  GetSessionAuditResponse,
  GetSessionAuditResponse__Output,
} from './generated/mqfleet/v1/GetSessionAuditResponse';
export type { AuditEntry, AuditEntry__Output } from './generated/mqfleet/v1/AuditEntry';
export type { DeleteTokenResponse__Output } from './generated/mqfleet/v1/DeleteTokenResponse';
export type {
  DescribeTokensResponse,
  DescribeTokensResponse__Output,
} from './generated/mqfleet/v1/DescribeTokensResponse';
export type { TokenInfo, TokenInfo__Output } from './generated/mqfleet/v1/TokenInfo';
export type { AccountServiceClient as AccountServiceClientType } from './generated/mqfleet/v1/AccountService';
export type { AccountServiceHandlers } from './generated/mqfleet/v1/AccountService';
export type { Account, Account__Output } from './generated/mqfleet/v1/Account';
export type {
  CreateAccountResponse,
  CreateAccountResponse__Output,
} from './generated/mqfleet/v1/CreateAccountResponse';
export type {
  AlterAccountResponse,
  AlterAccountResponse__Output,
} from './generated/mqfleet/v1/AlterAccountResponse';
export type {
  DeleteAccountResponse,
  DeleteAccountResponse__Output,
} from './generated/mqfleet/v1/DeleteAccountResponse';
export type {
  ListAccountsResponse,
  ListAccountsResponse__Output,
} from './generated/mqfleet/v1/ListAccountsResponse';
export type { LabelServiceClient as LabelServiceClientType } from './generated/mqfleet/v1/LabelService';
export type { LabelServiceHandlers } from './generated/mqfleet/v1/LabelService';
export type {
  CreateLabelRequest,
  CreateLabelRequest__Output,
} from './generated/mqfleet/v1/CreateLabelRequest';
export type {
  CreateLabelResponse,
  CreateLabelResponse__Output,
} from './generated/mqfleet/v1/CreateLabelResponse';
export type { AlterLabelRequest, AlterLabelRequest__Output } from './generated/mqfleet/v1/AlterLabelRequest';
export type {
  AlterLabelResponse,
  AlterLabelResponse__Output,
} from './generated/mqfleet/v1/AlterLabelResponse';
export type { ListLabelsRequest, ListLabelsRequest__Output } from './generated/mqfleet/v1/ListLabelsRequest';
export type {
  ListLabelsResponse,
  ListLabelsResponse__Output,
} from './generated/mqfleet/v1/ListLabelsResponse';
export type {
  ListLabelGroupsRequest,
  ListLabelGroupsRequest__Output,
} from './generated/mqfleet/v1/ListLabelGroupsRequest';
export type {
  ListLabelGroupsResponse,
  ListLabelGroupsResponse__Output,
} from './generated/mqfleet/v1/ListLabelGroupsResponse';
export type {
  ChangeLabelsRequest,
  ChangeLabelsRequest__Output,
} from './generated/mqfleet/v1/ChangeLabelsRequest';
export type {
  ChangeLabelsResponse,
  ChangeLabelsResponse__Output,
} from './generated/mqfleet/v1/ChangeLabelsResponse';
export type { Label, Label__Output } from './generated/mqfleet/v1/Label';
export type { LabelValues, LabelValues__Output } from './generated/mqfleet/v1/LabelValues';
export type { LabelKey, LabelKey__Output } from './generated/mqfleet/v1/LabelKey';
export type { LabelChange, LabelChange__Output } from './generated/mqfleet/v1/LabelChange';
export * from './tls';
export { fastSerializer, projectedDeserializer, type Projection } from './fast-codec';
export type { CreateTokenRequest } from './generated/mqfleet/v1/CreateTokenRequest';
export type { DescribeTokensRequest } from './generated/mqfleet/v1/DescribeTokensRequest';
export type { CreateAccountRequest } from './generated/mqfleet/v1/CreateAccountRequest';
export type { AlterAccountRequest } from './generated/mqfleet/v1/AlterAccountRequest';
export type { ListAccountsRequest } from './generated/mqfleet/v1/ListAccountsRequest';
export type { ListGatewaysRequest } from './generated/mqfleet/v1/ListGatewaysRequest';
export type { SessionServiceDefinition } from './generated/mqfleet/v1/SessionService';
export type { AuthServiceDefinition } from './generated/mqfleet/v1/AuthService';
export type { AccountServiceDefinition } from './generated/mqfleet/v1/AccountService';
export type { LabelServiceDefinition } from './generated/mqfleet/v1/LabelService';
export type { TopicsClient as TopicsClientType } from './generated/mqfleet/v1/Topics';
export type { TopicsHandlers, TopicsDefinition } from './generated/mqfleet/v1/Topics';
export type { ListTopicsRequest, ListTopicsRequest__Output } from './generated/mqfleet/v1/ListTopicsRequest';
export type {
  ListTopicsResponse,
  ListTopicsResponse__Output,
} from './generated/mqfleet/v1/ListTopicsResponse';
export type {
  DescribeTopicsRequest,
  DescribeTopicsRequest__Output,
} from './generated/mqfleet/v1/DescribeTopicsRequest';
export type {
  DescribeTopicsResponse,
  DescribeTopicsResponse__Output,
} from './generated/mqfleet/v1/DescribeTopicsResponse';
export type { TopicInfo, TopicInfo__Output } from './generated/mqfleet/v1/TopicInfo';
export type { TopicSubscription, TopicSubscription__Output } from './generated/mqfleet/v1/TopicSubscription';
export type { TopicSubscriber, TopicSubscriber__Output } from './generated/mqfleet/v1/TopicSubscriber';
