// Original file: proto/mqfleet/v1/session.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AlterSessionRequest as _mqfleet_v1_AlterSessionRequest,
  AlterSessionRequest__Output as _mqfleet_v1_AlterSessionRequest__Output,
} from '../../mqfleet/v1/AlterSessionRequest';
import type {
  AlterSessionResponse as _mqfleet_v1_AlterSessionResponse,
  AlterSessionResponse__Output as _mqfleet_v1_AlterSessionResponse__Output,
} from '../../mqfleet/v1/AlterSessionResponse';
import type {
  AlterSessionStreamRequest as _mqfleet_v1_AlterSessionStreamRequest,
  AlterSessionStreamRequest__Output as _mqfleet_v1_AlterSessionStreamRequest__Output,
} from '../../mqfleet/v1/AlterSessionStreamRequest';
import type {
  AlterSessionStreamResult as _mqfleet_v1_AlterSessionStreamResult,
  AlterSessionStreamResult__Output as _mqfleet_v1_AlterSessionStreamResult__Output,
} from '../../mqfleet/v1/AlterSessionStreamResult';
import type {
  AlterSessionsRequest as _mqfleet_v1_AlterSessionsRequest,
  AlterSessionsRequest__Output as _mqfleet_v1_AlterSessionsRequest__Output,
} from '../../mqfleet/v1/AlterSessionsRequest';
import type {
  AlterSessionsResponse as _mqfleet_v1_AlterSessionsResponse,
  AlterSessionsResponse__Output as _mqfleet_v1_AlterSessionsResponse__Output,
} from '../../mqfleet/v1/AlterSessionsResponse';
import type {
  ChangeSubscriptionsBatchRequest as _mqfleet_v1_ChangeSubscriptionsBatchRequest,
  ChangeSubscriptionsBatchRequest__Output as _mqfleet_v1_ChangeSubscriptionsBatchRequest__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsBatchRequest';
import type {
  ChangeSubscriptionsBatchResponse as _mqfleet_v1_ChangeSubscriptionsBatchResponse,
  ChangeSubscriptionsBatchResponse__Output as _mqfleet_v1_ChangeSubscriptionsBatchResponse__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsBatchResponse';
import type {
  ChangeSubscriptionsRequest as _mqfleet_v1_ChangeSubscriptionsRequest,
  ChangeSubscriptionsRequest__Output as _mqfleet_v1_ChangeSubscriptionsRequest__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsRequest';
import type {
  ChangeSubscriptionsResponse as _mqfleet_v1_ChangeSubscriptionsResponse,
  ChangeSubscriptionsResponse__Output as _mqfleet_v1_ChangeSubscriptionsResponse__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsResponse';
import type {
  CloseSessionRequest as _mqfleet_v1_CloseSessionRequest,
  CloseSessionRequest__Output as _mqfleet_v1_CloseSessionRequest__Output,
} from '../../mqfleet/v1/CloseSessionRequest';
import type {
  CloseSessionResponse as _mqfleet_v1_CloseSessionResponse,
  CloseSessionResponse__Output as _mqfleet_v1_CloseSessionResponse__Output,
} from '../../mqfleet/v1/CloseSessionResponse';
import type {
  CloseSessionsRequest as _mqfleet_v1_CloseSessionsRequest,
  CloseSessionsRequest__Output as _mqfleet_v1_CloseSessionsRequest__Output,
} from '../../mqfleet/v1/CloseSessionsRequest';
import type {
  CloseSessionsResponse as _mqfleet_v1_CloseSessionsResponse,
  CloseSessionsResponse__Output as _mqfleet_v1_CloseSessionsResponse__Output,
} from '../../mqfleet/v1/CloseSessionsResponse';
import type {
  CreateMqApiSessionRequest as _mqfleet_v1_CreateMqApiSessionRequest,
  CreateMqApiSessionRequest__Output as _mqfleet_v1_CreateMqApiSessionRequest__Output,
} from '../../mqfleet/v1/CreateMqApiSessionRequest';
import type {
  CreateMqApiSessionResponse as _mqfleet_v1_CreateMqApiSessionResponse,
  CreateMqApiSessionResponse__Output as _mqfleet_v1_CreateMqApiSessionResponse__Output,
} from '../../mqfleet/v1/CreateMqApiSessionResponse';
import type {
  DeleteSessionRequest as _mqfleet_v1_DeleteSessionRequest,
  DeleteSessionRequest__Output as _mqfleet_v1_DeleteSessionRequest__Output,
} from '../../mqfleet/v1/DeleteSessionRequest';
import type {
  DeleteSessionResponse as _mqfleet_v1_DeleteSessionResponse,
  DeleteSessionResponse__Output as _mqfleet_v1_DeleteSessionResponse__Output,
} from '../../mqfleet/v1/DeleteSessionResponse';
import type {
  DescribeAlterationPropagationRequest as _mqfleet_v1_DescribeAlterationPropagationRequest,
  DescribeAlterationPropagationRequest__Output as _mqfleet_v1_DescribeAlterationPropagationRequest__Output,
} from '../../mqfleet/v1/DescribeAlterationPropagationRequest';
import type {
  DescribeAlterationPropagationResponse as _mqfleet_v1_DescribeAlterationPropagationResponse,
  DescribeAlterationPropagationResponse__Output as _mqfleet_v1_DescribeAlterationPropagationResponse__Output,
} from '../../mqfleet/v1/DescribeAlterationPropagationResponse';
import type {
  DescribeSessionsRequest as _mqfleet_v1_DescribeSessionsRequest,
  DescribeSessionsRequest__Output as _mqfleet_v1_DescribeSessionsRequest__Output,
} from '../../mqfleet/v1/DescribeSessionsRequest';
import type {
  DescribeSessionsResponse as _mqfleet_v1_DescribeSessionsResponse,
  DescribeSessionsResponse__Output as _mqfleet_v1_DescribeSessionsResponse__Output,
} from '../../mqfleet/v1/DescribeSessionsResponse';
import type {
  GetMessagesRequest as _mqfleet_v1_GetMessagesRequest,
  GetMessagesRequest__Output as _mqfleet_v1_GetMessagesRequest__Output,
} from '../../mqfleet/v1/GetMessagesRequest';
import type {
  GetMessagesResponse as _mqfleet_v1_GetMessagesResponse,
  GetMessagesResponse__Output as _mqfleet_v1_GetMessagesResponse__Output,
} from '../../mqfleet/v1/GetMessagesResponse';
import type {
  GetSessionAuditRequest as _mqfleet_v1_GetSessionAuditRequest,
  GetSessionAuditRequest__Output as _mqfleet_v1_GetSessionAuditRequest__Output,
} from '../../mqfleet/v1/GetSessionAuditRequest';
import type {
  GetSessionAuditResponse as _mqfleet_v1_GetSessionAuditResponse,
  GetSessionAuditResponse__Output as _mqfleet_v1_GetSessionAuditResponse__Output,
} from '../../mqfleet/v1/GetSessionAuditResponse';
import type {
  GetTopicMessagesRequest as _mqfleet_v1_GetTopicMessagesRequest,
  GetTopicMessagesRequest__Output as _mqfleet_v1_GetTopicMessagesRequest__Output,
} from '../../mqfleet/v1/GetTopicMessagesRequest';
import type {
  GetTopicMessagesResponse as _mqfleet_v1_GetTopicMessagesResponse,
  GetTopicMessagesResponse__Output as _mqfleet_v1_GetTopicMessagesResponse__Output,
} from '../../mqfleet/v1/GetTopicMessagesResponse';
import type {
  KeepWillsRequest as _mqfleet_v1_KeepWillsRequest,
  KeepWillsRequest__Output as _mqfleet_v1_KeepWillsRequest__Output,
} from '../../mqfleet/v1/KeepWillsRequest';
import type {
  KeepWillsResponse as _mqfleet_v1_KeepWillsResponse,
  KeepWillsResponse__Output as _mqfleet_v1_KeepWillsResponse__Output,
} from '../../mqfleet/v1/KeepWillsResponse';
import type {
  ListGatewaysRequest as _mqfleet_v1_ListGatewaysRequest,
  ListGatewaysRequest__Output as _mqfleet_v1_ListGatewaysRequest__Output,
} from '../../mqfleet/v1/ListGatewaysRequest';
import type {
  ListGatewaysResponse as _mqfleet_v1_ListGatewaysResponse,
  ListGatewaysResponse__Output as _mqfleet_v1_ListGatewaysResponse__Output,
} from '../../mqfleet/v1/ListGatewaysResponse';
import type {
  ListMqApiSessionsRequest as _mqfleet_v1_ListMqApiSessionsRequest,
  ListMqApiSessionsRequest__Output as _mqfleet_v1_ListMqApiSessionsRequest__Output,
} from '../../mqfleet/v1/ListMqApiSessionsRequest';
import type {
  ListMqApiSessionsResponse as _mqfleet_v1_ListMqApiSessionsResponse,
  ListMqApiSessionsResponse__Output as _mqfleet_v1_ListMqApiSessionsResponse__Output,
} from '../../mqfleet/v1/ListMqApiSessionsResponse';
import type {
  ListSessionNamesRequest as _mqfleet_v1_ListSessionNamesRequest,
  ListSessionNamesRequest__Output as _mqfleet_v1_ListSessionNamesRequest__Output,
} from '../../mqfleet/v1/ListSessionNamesRequest';
import type {
  ListSessionNamesResponse as _mqfleet_v1_ListSessionNamesResponse,
  ListSessionNamesResponse__Output as _mqfleet_v1_ListSessionNamesResponse__Output,
} from '../../mqfleet/v1/ListSessionNamesResponse';
import type {
  ListSessionsRequest as _mqfleet_v1_ListSessionsRequest,
  ListSessionsRequest__Output as _mqfleet_v1_ListSessionsRequest__Output,
} from '../../mqfleet/v1/ListSessionsRequest';
import type {
  ListSessionsResponse as _mqfleet_v1_ListSessionsResponse,
  ListSessionsResponse__Output as _mqfleet_v1_ListSessionsResponse__Output,
} from '../../mqfleet/v1/ListSessionsResponse';
import type {
  OpenSessionRequest as _mqfleet_v1_OpenSessionRequest,
  OpenSessionRequest__Output as _mqfleet_v1_OpenSessionRequest__Output,
} from '../../mqfleet/v1/OpenSessionRequest';
import type {
  OpenSessionResponse as _mqfleet_v1_OpenSessionResponse,
  OpenSessionResponse__Output as _mqfleet_v1_OpenSessionResponse__Output,
} from '../../mqfleet/v1/OpenSessionResponse';
import type {
  OpenSessionsRequest as _mqfleet_v1_OpenSessionsRequest,
  OpenSessionsRequest__Output as _mqfleet_v1_OpenSessionsRequest__Output,
} from '../../mqfleet/v1/OpenSessionsRequest';
import type {
  OpenSessionsResponse as _mqfleet_v1_OpenSessionsResponse,
  OpenSessionsResponse__Output as _mqfleet_v1_OpenSessionsResponse__Output,
} from '../../mqfleet/v1/OpenSessionsResponse';
import type {
  PublishRequest as _mqfleet_v1_PublishRequest,
  PublishRequest__Output as _mqfleet_v1_PublishRequest__Output,
} from '../../mqfleet/v1/PublishRequest';
import type {
  PublishResponse as _mqfleet_v1_PublishResponse,
  PublishResponse__Output as _mqfleet_v1_PublishResponse__Output,
} from '../../mqfleet/v1/PublishResponse';
import type {
  ReceiveRequest as _mqfleet_v1_ReceiveRequest,
  ReceiveRequest__Output as _mqfleet_v1_ReceiveRequest__Output,
} from '../../mqfleet/v1/ReceiveRequest';
import type {
  SessionEventNotice as _mqfleet_v1_SessionEventNotice,
  SessionEventNotice__Output as _mqfleet_v1_SessionEventNotice__Output,
} from '../../mqfleet/v1/SessionEventNotice';
import type {
  StoredMessage as _mqfleet_v1_StoredMessage,
  StoredMessage__Output as _mqfleet_v1_StoredMessage__Output,
} from '../../mqfleet/v1/StoredMessage';
import type {
  WatchSessionEventsRequest as _mqfleet_v1_WatchSessionEventsRequest,
  WatchSessionEventsRequest__Output as _mqfleet_v1_WatchSessionEventsRequest__Output,
} from '../../mqfleet/v1/WatchSessionEventsRequest';

export interface SessionServiceClient extends grpc.Client {
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  AlterSessionStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _mqfleet_v1_AlterSessionStreamRequest,
    _mqfleet_v1_AlterSessionStreamResult__Output
  >;
  AlterSessionStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _mqfleet_v1_AlterSessionStreamRequest,
    _mqfleet_v1_AlterSessionStreamResult__Output
  >;
  alterSessionStream(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _mqfleet_v1_AlterSessionStreamRequest,
    _mqfleet_v1_AlterSessionStreamResult__Output
  >;
  alterSessionStream(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _mqfleet_v1_AlterSessionStreamRequest,
    _mqfleet_v1_AlterSessionStreamResult__Output
  >;

  AlterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSessions(
    argument: _mqfleet_v1_AlterSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ChangeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptions(
    argument: _mqfleet_v1_ChangeSubscriptionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ChangeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeSubscriptionsBatch(
    argument: _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeSubscriptionsBatchResponse__Output>,
  ): grpc.ClientUnaryCall;

  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  CloseSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSessions(
    argument: _mqfleet_v1_CloseSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  CreateMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  createMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  createMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  createMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  createMqApiSession(
    argument: _mqfleet_v1_CreateMqApiSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateMqApiSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  DeleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteSession(
    argument: _mqfleet_v1_DeleteSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  DescribeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeAlterationPropagation(
    argument: _mqfleet_v1_DescribeAlterationPropagationRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeAlterationPropagationResponse__Output>,
  ): grpc.ClientUnaryCall;

  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  GetMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getMessages(
    argument: _mqfleet_v1_GetMessagesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;

  GetSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSessionAudit(
    argument: _mqfleet_v1_GetSessionAuditRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetSessionAuditResponse__Output>,
  ): grpc.ClientUnaryCall;

  GetTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTopicMessages(
    argument: _mqfleet_v1_GetTopicMessagesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_GetTopicMessagesResponse__Output>,
  ): grpc.ClientUnaryCall;

  KeepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  KeepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  KeepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  KeepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  keepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  keepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  keepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;
  keepWills(
    argument: _mqfleet_v1_KeepWillsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_KeepWillsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listMqApiSessions(
    argument: _mqfleet_v1_ListMqApiSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListMqApiSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessionNames(
    argument: _mqfleet_v1_ListSessionNamesRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionNamesResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSessions(
    argument: _mqfleet_v1_ListSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  OpenSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSessions(
    argument: _mqfleet_v1_OpenSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  Publish(
    argument: _mqfleet_v1_PublishRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  Publish(
    argument: _mqfleet_v1_PublishRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  Publish(
    argument: _mqfleet_v1_PublishRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  Publish(
    argument: _mqfleet_v1_PublishRequest,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  publish(
    argument: _mqfleet_v1_PublishRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  publish(
    argument: _mqfleet_v1_PublishRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  publish(
    argument: _mqfleet_v1_PublishRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;
  publish(
    argument: _mqfleet_v1_PublishRequest,
    callback: grpc.requestCallback<_mqfleet_v1_PublishResponse__Output>,
  ): grpc.ClientUnaryCall;

  Receive(
    argument: _mqfleet_v1_ReceiveRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_StoredMessage__Output>;
  Receive(
    argument: _mqfleet_v1_ReceiveRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_StoredMessage__Output>;
  receive(
    argument: _mqfleet_v1_ReceiveRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_StoredMessage__Output>;
  receive(
    argument: _mqfleet_v1_ReceiveRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_StoredMessage__Output>;

  WatchSessionEvents(
    argument: _mqfleet_v1_WatchSessionEventsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_SessionEventNotice__Output>;
  WatchSessionEvents(
    argument: _mqfleet_v1_WatchSessionEventsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_SessionEventNotice__Output>;
  watchSessionEvents(
    argument: _mqfleet_v1_WatchSessionEventsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_SessionEventNotice__Output>;
  watchSessionEvents(
    argument: _mqfleet_v1_WatchSessionEventsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_mqfleet_v1_SessionEventNotice__Output>;
}

export interface SessionServiceHandlers extends grpc.UntypedServiceImplementation {
  AlterSession: grpc.handleUnaryCall<
    _mqfleet_v1_AlterSessionRequest__Output,
    _mqfleet_v1_AlterSessionResponse
  >;

  AlterSessionStream: grpc.handleBidiStreamingCall<
    _mqfleet_v1_AlterSessionStreamRequest__Output,
    _mqfleet_v1_AlterSessionStreamResult
  >;

  AlterSessions: grpc.handleUnaryCall<
    _mqfleet_v1_AlterSessionsRequest__Output,
    _mqfleet_v1_AlterSessionsResponse
  >;

  ChangeSubscriptions: grpc.handleUnaryCall<
    _mqfleet_v1_ChangeSubscriptionsRequest__Output,
    _mqfleet_v1_ChangeSubscriptionsResponse
  >;

  ChangeSubscriptionsBatch: grpc.handleUnaryCall<
    _mqfleet_v1_ChangeSubscriptionsBatchRequest__Output,
    _mqfleet_v1_ChangeSubscriptionsBatchResponse
  >;

  CloseSession: grpc.handleUnaryCall<
    _mqfleet_v1_CloseSessionRequest__Output,
    _mqfleet_v1_CloseSessionResponse
  >;

  CloseSessions: grpc.handleUnaryCall<
    _mqfleet_v1_CloseSessionsRequest__Output,
    _mqfleet_v1_CloseSessionsResponse
  >;

  CreateMqApiSession: grpc.handleUnaryCall<
    _mqfleet_v1_CreateMqApiSessionRequest__Output,
    _mqfleet_v1_CreateMqApiSessionResponse
  >;

  DeleteSession: grpc.handleUnaryCall<
    _mqfleet_v1_DeleteSessionRequest__Output,
    _mqfleet_v1_DeleteSessionResponse
  >;

  DescribeAlterationPropagation: grpc.handleUnaryCall<
    _mqfleet_v1_DescribeAlterationPropagationRequest__Output,
    _mqfleet_v1_DescribeAlterationPropagationResponse
  >;

  DescribeSessions: grpc.handleUnaryCall<
    _mqfleet_v1_DescribeSessionsRequest__Output,
    _mqfleet_v1_DescribeSessionsResponse
  >;

  GetMessages: grpc.handleUnaryCall<_mqfleet_v1_GetMessagesRequest__Output, _mqfleet_v1_GetMessagesResponse>;

  GetSessionAudit: grpc.handleUnaryCall<
    _mqfleet_v1_GetSessionAuditRequest__Output,
    _mqfleet_v1_GetSessionAuditResponse
  >;

  GetTopicMessages: grpc.handleUnaryCall<
    _mqfleet_v1_GetTopicMessagesRequest__Output,
    _mqfleet_v1_GetTopicMessagesResponse
  >;

  KeepWills: grpc.handleUnaryCall<_mqfleet_v1_KeepWillsRequest__Output, _mqfleet_v1_KeepWillsResponse>;

  ListGateways: grpc.handleUnaryCall<
    _mqfleet_v1_ListGatewaysRequest__Output,
    _mqfleet_v1_ListGatewaysResponse
  >;

  ListMqApiSessions: grpc.handleUnaryCall<
    _mqfleet_v1_ListMqApiSessionsRequest__Output,
    _mqfleet_v1_ListMqApiSessionsResponse
  >;

  ListSessionNames: grpc.handleUnaryCall<
    _mqfleet_v1_ListSessionNamesRequest__Output,
    _mqfleet_v1_ListSessionNamesResponse
  >;

  ListSessions: grpc.handleUnaryCall<
    _mqfleet_v1_ListSessionsRequest__Output,
    _mqfleet_v1_ListSessionsResponse
  >;

  OpenSession: grpc.handleUnaryCall<_mqfleet_v1_OpenSessionRequest__Output, _mqfleet_v1_OpenSessionResponse>;

  OpenSessions: grpc.handleUnaryCall<
    _mqfleet_v1_OpenSessionsRequest__Output,
    _mqfleet_v1_OpenSessionsResponse
  >;

  Publish: grpc.handleUnaryCall<_mqfleet_v1_PublishRequest__Output, _mqfleet_v1_PublishResponse>;

  Receive: grpc.handleServerStreamingCall<_mqfleet_v1_ReceiveRequest__Output, _mqfleet_v1_StoredMessage>;

  WatchSessionEvents: grpc.handleServerStreamingCall<
    _mqfleet_v1_WatchSessionEventsRequest__Output,
    _mqfleet_v1_SessionEventNotice
  >;
}

export interface SessionServiceDefinition extends grpc.ServiceDefinition {
  AlterSession: MethodDefinition<
    _mqfleet_v1_AlterSessionRequest,
    _mqfleet_v1_AlterSessionResponse,
    _mqfleet_v1_AlterSessionRequest__Output,
    _mqfleet_v1_AlterSessionResponse__Output
  >;
  AlterSessionStream: MethodDefinition<
    _mqfleet_v1_AlterSessionStreamRequest,
    _mqfleet_v1_AlterSessionStreamResult,
    _mqfleet_v1_AlterSessionStreamRequest__Output,
    _mqfleet_v1_AlterSessionStreamResult__Output
  >;
  AlterSessions: MethodDefinition<
    _mqfleet_v1_AlterSessionsRequest,
    _mqfleet_v1_AlterSessionsResponse,
    _mqfleet_v1_AlterSessionsRequest__Output,
    _mqfleet_v1_AlterSessionsResponse__Output
  >;
  ChangeSubscriptions: MethodDefinition<
    _mqfleet_v1_ChangeSubscriptionsRequest,
    _mqfleet_v1_ChangeSubscriptionsResponse,
    _mqfleet_v1_ChangeSubscriptionsRequest__Output,
    _mqfleet_v1_ChangeSubscriptionsResponse__Output
  >;
  ChangeSubscriptionsBatch: MethodDefinition<
    _mqfleet_v1_ChangeSubscriptionsBatchRequest,
    _mqfleet_v1_ChangeSubscriptionsBatchResponse,
    _mqfleet_v1_ChangeSubscriptionsBatchRequest__Output,
    _mqfleet_v1_ChangeSubscriptionsBatchResponse__Output
  >;
  CloseSession: MethodDefinition<
    _mqfleet_v1_CloseSessionRequest,
    _mqfleet_v1_CloseSessionResponse,
    _mqfleet_v1_CloseSessionRequest__Output,
    _mqfleet_v1_CloseSessionResponse__Output
  >;
  CloseSessions: MethodDefinition<
    _mqfleet_v1_CloseSessionsRequest,
    _mqfleet_v1_CloseSessionsResponse,
    _mqfleet_v1_CloseSessionsRequest__Output,
    _mqfleet_v1_CloseSessionsResponse__Output
  >;
  CreateMqApiSession: MethodDefinition<
    _mqfleet_v1_CreateMqApiSessionRequest,
    _mqfleet_v1_CreateMqApiSessionResponse,
    _mqfleet_v1_CreateMqApiSessionRequest__Output,
    _mqfleet_v1_CreateMqApiSessionResponse__Output
  >;
  DeleteSession: MethodDefinition<
    _mqfleet_v1_DeleteSessionRequest,
    _mqfleet_v1_DeleteSessionResponse,
    _mqfleet_v1_DeleteSessionRequest__Output,
    _mqfleet_v1_DeleteSessionResponse__Output
  >;
  DescribeAlterationPropagation: MethodDefinition<
    _mqfleet_v1_DescribeAlterationPropagationRequest,
    _mqfleet_v1_DescribeAlterationPropagationResponse,
    _mqfleet_v1_DescribeAlterationPropagationRequest__Output,
    _mqfleet_v1_DescribeAlterationPropagationResponse__Output
  >;
  DescribeSessions: MethodDefinition<
    _mqfleet_v1_DescribeSessionsRequest,
    _mqfleet_v1_DescribeSessionsResponse,
    _mqfleet_v1_DescribeSessionsRequest__Output,
    _mqfleet_v1_DescribeSessionsResponse__Output
  >;
  GetMessages: MethodDefinition<
    _mqfleet_v1_GetMessagesRequest,
    _mqfleet_v1_GetMessagesResponse,
    _mqfleet_v1_GetMessagesRequest__Output,
    _mqfleet_v1_GetMessagesResponse__Output
  >;
  GetSessionAudit: MethodDefinition<
    _mqfleet_v1_GetSessionAuditRequest,
    _mqfleet_v1_GetSessionAuditResponse,
    _mqfleet_v1_GetSessionAuditRequest__Output,
    _mqfleet_v1_GetSessionAuditResponse__Output
  >;
  GetTopicMessages: MethodDefinition<
    _mqfleet_v1_GetTopicMessagesRequest,
    _mqfleet_v1_GetTopicMessagesResponse,
    _mqfleet_v1_GetTopicMessagesRequest__Output,
    _mqfleet_v1_GetTopicMessagesResponse__Output
  >;
  KeepWills: MethodDefinition<
    _mqfleet_v1_KeepWillsRequest,
    _mqfleet_v1_KeepWillsResponse,
    _mqfleet_v1_KeepWillsRequest__Output,
    _mqfleet_v1_KeepWillsResponse__Output
  >;
  ListGateways: MethodDefinition<
    _mqfleet_v1_ListGatewaysRequest,
    _mqfleet_v1_ListGatewaysResponse,
    _mqfleet_v1_ListGatewaysRequest__Output,
    _mqfleet_v1_ListGatewaysResponse__Output
  >;
  ListMqApiSessions: MethodDefinition<
    _mqfleet_v1_ListMqApiSessionsRequest,
    _mqfleet_v1_ListMqApiSessionsResponse,
    _mqfleet_v1_ListMqApiSessionsRequest__Output,
    _mqfleet_v1_ListMqApiSessionsResponse__Output
  >;
  ListSessionNames: MethodDefinition<
    _mqfleet_v1_ListSessionNamesRequest,
    _mqfleet_v1_ListSessionNamesResponse,
    _mqfleet_v1_ListSessionNamesRequest__Output,
    _mqfleet_v1_ListSessionNamesResponse__Output
  >;
  ListSessions: MethodDefinition<
    _mqfleet_v1_ListSessionsRequest,
    _mqfleet_v1_ListSessionsResponse,
    _mqfleet_v1_ListSessionsRequest__Output,
    _mqfleet_v1_ListSessionsResponse__Output
  >;
  OpenSession: MethodDefinition<
    _mqfleet_v1_OpenSessionRequest,
    _mqfleet_v1_OpenSessionResponse,
    _mqfleet_v1_OpenSessionRequest__Output,
    _mqfleet_v1_OpenSessionResponse__Output
  >;
  OpenSessions: MethodDefinition<
    _mqfleet_v1_OpenSessionsRequest,
    _mqfleet_v1_OpenSessionsResponse,
    _mqfleet_v1_OpenSessionsRequest__Output,
    _mqfleet_v1_OpenSessionsResponse__Output
  >;
  Publish: MethodDefinition<
    _mqfleet_v1_PublishRequest,
    _mqfleet_v1_PublishResponse,
    _mqfleet_v1_PublishRequest__Output,
    _mqfleet_v1_PublishResponse__Output
  >;
  Receive: MethodDefinition<
    _mqfleet_v1_ReceiveRequest,
    _mqfleet_v1_StoredMessage,
    _mqfleet_v1_ReceiveRequest__Output,
    _mqfleet_v1_StoredMessage__Output
  >;
  WatchSessionEvents: MethodDefinition<
    _mqfleet_v1_WatchSessionEventsRequest,
    _mqfleet_v1_SessionEventNotice,
    _mqfleet_v1_WatchSessionEventsRequest__Output,
    _mqfleet_v1_SessionEventNotice__Output
  >;
}
