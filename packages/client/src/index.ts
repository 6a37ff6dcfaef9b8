// A typed, promise-based client of the session-service's gRPC API for other TypeScript services.
//
//   const mq = await MqfleetClient.login('sessions.internal:50051', 'ops-bot', secret);
//   await mq.alterSession('device-1', { keepAliveSeconds: 30 });
//
// One method per public RPC of SessionService, AuthService, AccountService, LabelService and Topics
// (proto/mqfleet/v1/*.proto); the gateways' RPCs (internal token) and the AlterSessionStream are
// not here. Every call carries a deadline. Failures reject with an MqfleetError (a CallError,
// transport.ts) whose `code` is the stable catalogue name (NOT_FOUND, INVALID_VALUE,
// VERSION_CONFLICT, BAD_TOKEN, ...). Reads (describe, list, audit, whoAmI, ...) that fail with
// UNAVAILABLE are retried up to `retries` times within their deadline.
import type * as grpc from '@grpc/grpc-js';
import {
  v1,
  type Account__Output,
  type AlterAccountRequest,
  type AlterAccountResponse__Output,
  type AlterLabelRequest,
  type AlterLabelResponse__Output,
  type AlterSessionResponse__Output,
  type AlterSessionsResponse__Output,
  type AuditEntry__Output,
  type ChangeLabelsRequest,
  type ChangeLabelsResponse__Output,
  type ChangeSubscriptionsRequest,
  type ChangeSubscriptionsResponse__Output,
  type PublishMessage,
  type GetMessagesResponse__Output,
  type GetTopicMessagesResponse__Output,
  type StoredMessage__Output,
  type ClientTls,
  type CreateAccountRequest,
  type CreateAccountResponse__Output,
  type CreateLabelRequest,
  type CreateLabelResponse__Output,
  type CreateTokenRequest,
  type CreateTokenResponse__Output,
  type DeleteAccountResponse__Output,
  type DeleteSessionResponse__Output,
  type DeleteTokenResponse__Output,
  type GatewayInfo__Output,
  type Label__Output,
  type ListLabelGroupsRequest,
  type ListLabelsRequest,
  type ListSessionsRequest,
  type ListSessionsResponse__Output,
  type Session__Output,
  type SessionFilter,
  type SessionPatch,
  type TokenInfo__Output,
  type TopicInfo__Output,
  type DescribeTopicsRequest,
  type ListTopicsRequest,
  type WhoAmIResponse__Output,
} from '@mqfleet/proto';
import { Transport, type CallSettings } from './transport';

export {
  CallError,
  decodeError,
  decodeFailure,
  INTERNAL_TOKEN_METADATA_KEY,
  promised,
  timedCalls,
  Transport,
  type CallSettings,
  type ServiceCallConfig,
  type TransportOptions,
  type UnaryMethod,
} from './transport';
import { MqfleetError } from '@mqfleet/core';

export { MqfleetError, isErrorCode, type ErrorCode } from '@mqfleet/core';
export type * from '@mqfleet/proto';
export { v1 } from '@mqfleet/proto';

export interface ClientOptions {
  deadlineMs?: number;
  /** Retries of idempotent reads on UNAVAILABLE (default 2). */
  retries?: number;
  credentials?: grpc.ChannelCredentials;
  /**
   * TLS to the session-service (ignored when `credentials` is given): `ca` verifies its
   * certificate, `cert` + `key` (PEM) are the client certificate for mutual TLS
   * (MQFLEET_GRPC_TLS_CA_FILE on the service), `serverName` overrides the name checked.
   */
  tls?: ClientTls;
}

const SESSIONS = v1.SessionService.service;
const AUTH = v1.AuthService.service;
const ACCOUNTS = v1.AccountService.service;
const LABELS = v1.LabelService.service;
const TOPICS = v1.Topics.service;

function transportOf(address: string, options: ClientOptions): Transport {
  return new Transport(address, {
    retries: options.retries ?? 2,
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
}

export class MqfleetClient {
  private readonly transport: Transport;
  /** The bearer token's metadata, built once for every call. */
  private readonly write: CallSettings;
  private readonly read: CallSettings;

  constructor(address: string, token: string, options: ClientOptions = {}) {
    this.transport = transportOf(address, options);
    const metadata = this.transport.bearer(token);
    this.write = { metadata };
    this.read = { metadata, idempotent: true };
  }

  /** Exchanges an account's username and password for a token and returns a client using it. */
  static async login(
    address: string,
    username: string,
    password: string,
    options: ClientOptions = {},
  ): Promise<MqfleetClient> {
    const transport = transportOf(address, options);
    try {
      const res = await transport.unary(AUTH.CreateToken, { username, password });
      return new MqfleetClient(address, res.token, options);
    } finally {
      transport.close();
    }
  }

  // --- SessionService ---------------------------------------------------------------------

  /**
   * Creates an MQ API session owned by this client's account: `clientName` "" generates a name;
   * `patch` sets settings beyond a permanent session's defaults. A taken name → ALREADY_EXISTS.
   */
  async createMqApiSession(clientName = '', patch: SessionPatch = {}): Promise<Session__Output> {
    const res = await this.transport.unary(SESSIONS.CreateMqApiSession, { clientName, patch }, this.write);
    if (!res.session) throw new MqfleetError('INTERNAL', 'CreateMqApiSession answered without a session');
    return res.session;
  }
  /**
   * Publishes messages as a session (the JSON API's publishMessagesToMq) to every subscriber on
   * every gateway; one MQTT 5 reason code per message (0: routed; QoS 1: stored where it must be).
   */
  async publish(clientName: string, topic: string, messages: PublishMessage[]): Promise<number[]> {
    return (await this.transport.unary(SESSIONS.Publish, { clientName, topic, messages }, this.write))
      .reasonCodes;
  }

  /**
   * Takes the oldest messages kept for an MQ API session (getMessagesFromMqApiSession): each is
   * returned once, the next call resumes after them. `topic` reads one topic name only.
   */
  async getMessages(
    clientName: string,
    options: { maxMessages?: number; topic?: string } = {},
  ): Promise<GetMessagesResponse__Output> {
    return this.transport.unary(
      SESSIONS.GetMessages,
      { clientName, maxMessages: options.maxMessages ?? 0, topic: options.topic ?? '' },
      this.write,
    );
  }

  /**
   * The messages of an MQ API session as they are stored (Receive): what is kept now, then each
   * new one, until `cancel()` on the returned stream. Errors (a ban, a deleted session) end it
   * with an 'error' event.
   */
  receive(clientName: string, topic = ''): grpc.ClientReadableStream<StoredMessage__Output> {
    const client = this.transport.client(v1.SessionService);
    return client.Receive({ clientName, topic }, this.write.metadata!);
  }

  /**
   * Reads a stored topic's history (getMessagesFromMqTopic; MQFLEET_STORED_TOPICS) without moving
   * or removing anything: `startFrom` "tail" (default), "head", an ISO 8601 date(-time) or a
   * message's sequence. Administrators only.
   */
  async getTopicMessages(
    topic: string,
    options: { startFrom?: string | number; maxMessages?: number } = {},
  ): Promise<GetTopicMessagesResponse__Output> {
    return this.transport.unary(
      SESSIONS.GetTopicMessages,
      { topic, startFrom: String(options.startFrom ?? ''), maxMessages: options.maxMessages ?? 0 },
      this.read,
    );
  }

  alterSession(
    clientName: string,
    patch: SessionPatch,
    expectedVersion?: string,
  ): Promise<AlterSessionResponse__Output> {
    return this.transport.unary(
      SESSIONS.AlterSession,
      { clientName, patch, ...(expectedVersion ? { expectedVersion } : {}) },
      this.write,
    );
  }

  alterSessions(filter: SessionFilter, patch: SessionPatch): Promise<AlterSessionsResponse__Output> {
    return this.transport.unary(SESSIONS.AlterSessions, { filter, patch }, this.write);
  }

  async describeSessions(clientNames: string[]): Promise<Session__Output[]> {
    return (await this.transport.unary(SESSIONS.DescribeSessions, { clientNames }, this.read)).sessions;
  }

  listSessions(request: ListSessionsRequest = {}): Promise<ListSessionsResponse__Output> {
    return this.transport.unary(SESSIONS.ListSessions, request, this.read);
  }

  deleteSession(clientName: string, permanently = false): Promise<DeleteSessionResponse__Output> {
    return this.transport.unary(SESSIONS.DeleteSession, { clientName, permanently }, this.write);
  }

  async sessionAudit(clientName: string, afterVersion = '0'): Promise<AuditEntry__Output[]> {
    return (await this.transport.unary(SESSIONS.GetSessionAudit, { clientName, afterVersion }, this.read))
      .entries;
  }

  /** Adds and removes subscriptions of one session (the JSON API's subscribeToMq). */
  changeSubscriptions(request: ChangeSubscriptionsRequest): Promise<ChangeSubscriptionsResponse__Output> {
    return this.transport.unary(SESSIONS.ChangeSubscriptions, request, this.write);
  }

  /** Connection-gateways seen alive in the last few seconds. */
  async listGateways(): Promise<GatewayInfo__Output[]> {
    return (await this.transport.unary(SESSIONS.ListGateways, {}, this.read)).gateways;
  }

  // --- AuthService ------------------------------------------------------------------------

  /** Another token for an account (login() makes the client's own). */
  createToken(request: CreateTokenRequest): Promise<CreateTokenResponse__Output> {
    return this.transport.unary(AUTH.CreateToken, request, this.write);
  }

  /** The account behind this client's token (and a refresh of the token's idle timer). */
  whoAmI(): Promise<WhoAmIResponse__Output> {
    return this.transport.unary(AUTH.WhoAmI, {}, this.read);
  }

  /** Deletes this client's token; `found` is false when it was unknown or expired already. */
  deleteToken(): Promise<DeleteTokenResponse__Output> {
    return this.transport.unary(AUTH.DeleteToken, {}, this.write);
  }

  /** The live tokens of this client's account, each named by its id (all of them without ids). */
  async describeTokens(ids: string[] = []): Promise<TokenInfo__Output[]> {
    return (await this.transport.unary(AUTH.DescribeTokens, { ids }, this.read)).tokens;
  }

  // --- AccountService (administrators) ----------------------------------------------------

  createAccount(request: CreateAccountRequest): Promise<CreateAccountResponse__Output> {
    return this.transport.unary(ACCOUNTS.CreateAccount, request, this.write);
  }

  alterAccount(request: AlterAccountRequest): Promise<AlterAccountResponse__Output> {
    return this.transport.unary(ACCOUNTS.AlterAccount, request, this.write);
  }

  deleteAccount(username: string): Promise<DeleteAccountResponse__Output> {
    return this.transport.unary(ACCOUNTS.DeleteAccount, { username }, this.write);
  }

  /** Accounts ordered by user name; `partialUsername` keeps those whose name contains it. */
  async listAccounts(partialUsername = ''): Promise<Account__Output[]> {
    return (await this.transport.unary(ACCOUNTS.ListAccounts, { partialUsername }, this.read)).accounts;
  }

  // --- LabelService (administrators) ------------------------------------------------------

  createLabel(request: CreateLabelRequest): Promise<CreateLabelResponse__Output> {
    return this.transport.unary(LABELS.CreateLabel, request, this.write);
  }

  alterLabel(request: AlterLabelRequest): Promise<AlterLabelResponse__Output> {
    return this.transport.unary(LABELS.AlterLabel, request, this.write);
  }

  async listLabels(request: ListLabelsRequest = {}): Promise<Label__Output[]> {
    return (await this.transport.unary(LABELS.ListLabels, request, this.read)).labels;
  }

  async listLabelGroups(request: ListLabelGroupsRequest = {}): Promise<string[]> {
    return (await this.transport.unary(LABELS.ListLabelGroups, request, this.read)).groups;
  }

  /** Alters or deletes many labels in one all-or-nothing transaction. */
  changeLabels(request: ChangeLabelsRequest): Promise<ChangeLabelsResponse__Output> {
    return this.transport.unary(LABELS.ChangeLabels, request, this.write);
  }

  // --- Topics (administrators) -------------------------------------------------------------

  /**
   * Names of the topics messages were published to (the JSON API's listTopics): `partialName`
   * begins, `search` contains (ignoring case), 20 names unless `maxRecords` says otherwise.
   */
  async listTopics(request: ListTopicsRequest = {}): Promise<string[]> {
    return (await this.transport.unary(TOPICS.ListTopics, request, this.read)).names;
  }

  /**
   * The named topics with their counts and subscribers (the JSON API's describeTopics); topics
   * never published to are left out.
   */
  async describeTopics(
    topics: string[],
    request: Omit<DescribeTopicsRequest, 'topics'> = {},
  ): Promise<TopicInfo__Output[]> {
    return (await this.transport.unary(TOPICS.DescribeTopics, { ...request, topics }, this.read)).topics;
  }

  close(): void {
    this.transport.close();
  }
}
