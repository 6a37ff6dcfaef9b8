import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  AlterSessionRequest as _mqfleet_v1_AlterSessionRequest,
  AlterSessionRequest__Output as _mqfleet_v1_AlterSessionRequest__Output,
} from './mqfleet/v1/AlterSessionRequest';
import type {
  AlterSessionResponse as _mqfleet_v1_AlterSessionResponse,
  AlterSessionResponse__Output as _mqfleet_v1_AlterSessionResponse__Output,
} from './mqfleet/v1/AlterSessionResponse';
import type {
  AlterSessionStreamRequest as _mqfleet_v1_AlterSessionStreamRequest,
  AlterSessionStreamRequest__Output as _mqfleet_v1_AlterSessionStreamRequest__Output,
} from './mqfleet/v1/AlterSessionStreamRequest';
import type {
  AlterSessionStreamResult as _mqfleet_v1_AlterSessionStreamResult,
  AlterSessionStreamResult__Output as _mqfleet_v1_AlterSessionStreamResult__Output,
} from './mqfleet/v1/AlterSessionStreamResult';
import type {
  AlterSessionsRequest as _mqfleet_v1_AlterSessionsRequest,
  AlterSessionsRequest__Output as _mqfleet_v1_AlterSessionsRequest__Output,
} from './mqfleet/v1/AlterSessionsRequest';
import type {
  AlterSessionsResponse as _mqfleet_v1_AlterSessionsResponse,
  AlterSessionsResponse__Output as _mqfleet_v1_AlterSessionsResponse__Output,
} from './mqfleet/v1/AlterSessionsResponse';
import type {
  AuditEntry as _mqfleet_v1_AuditEntry,
  AuditEntry__Output as _mqfleet_v1_AuditEntry__Output,
} from './mqfleet/v1/AuditEntry';
import type {
  BatchFailure as _mqfleet_v1_BatchFailure,
  BatchFailure__Output as _mqfleet_v1_BatchFailure__Output,
} from './mqfleet/v1/BatchFailure';
import type {
  ChangeSubscriptionsBatchRequest as _mqfleet_v1_ChangeSubscriptionsBatchRequest,
  ChangeSubscriptionsBatchRequest__Output as _mqfleet_v1_ChangeSubscriptionsBatchRequest__Output,
} from './mqfleet/v1/ChangeSubscriptionsBatchRequest';
import type {
  ChangeSubscriptionsBatchResponse as _mqfleet_v1_ChangeSubscriptionsBatchResponse,
  ChangeSubscriptionsBatchResponse__Output as _mqfleet_v1_ChangeSubscriptionsBatchResponse__Output,
} from './mqfleet/v1/ChangeSubscriptionsBatchResponse';
import type {
  ChangeSubscriptionsRequest as _mqfleet_v1_ChangeSubscriptionsRequest,
  ChangeSubscriptionsRequest__Output as _mqfleet_v1_ChangeSubscriptionsRequest__Output,
} from './mqfleet/v1/ChangeSubscriptionsRequest';
import type {
  ChangeSubscriptionsResponse as _mqfleet_v1_ChangeSubscriptionsResponse,
  ChangeSubscriptionsResponse__Output as _mqfleet_v1_ChangeSubscriptionsResponse__Output,
} from './mqfleet/v1/ChangeSubscriptionsResponse';
import type {
  ChangeSubscriptionsResult as _mqfleet_v1_ChangeSubscriptionsResult,
  ChangeSubscriptionsResult__Output as _mqfleet_v1_ChangeSubscriptionsResult__Output,
} from './mqfleet/v1/ChangeSubscriptionsResult';
import type {
  CloseSessionRequest as _mqfleet_v1_CloseSessionRequest,
  CloseSessionRequest__Output as _mqfleet_v1_CloseSessionRequest__Output,
} from './mqfleet/v1/CloseSessionRequest';
import type {
  CloseSessionResponse as _mqfleet_v1_CloseSessionResponse,
  CloseSessionResponse__Output as _mqfleet_v1_CloseSessionResponse__Output,
} from './mqfleet/v1/CloseSessionResponse';
import type {
  CloseSessionResult as _mqfleet_v1_CloseSessionResult,
  CloseSessionResult__Output as _mqfleet_v1_CloseSessionResult__Output,
} from './mqfleet/v1/CloseSessionResult';
import type {
  CloseSessionsRequest as _mqfleet_v1_CloseSessionsRequest,
  CloseSessionsRequest__Output as _mqfleet_v1_CloseSessionsRequest__Output,
} from './mqfleet/v1/CloseSessionsRequest';
import type {
  CloseSessionsResponse as _mqfleet_v1_CloseSessionsResponse,
  CloseSessionsResponse__Output as _mqfleet_v1_CloseSessionsResponse__Output,
} from './mqfleet/v1/CloseSessionsResponse';
import type {
  ConnectDeclaration as _mqfleet_v1_ConnectDeclaration,
  ConnectDeclaration__Output as _mqfleet_v1_ConnectDeclaration__Output,
} from './mqfleet/v1/ConnectDeclaration';
import type {
  ConnectionInfo as _mqfleet_v1_ConnectionInfo,
  ConnectionInfo__Output as _mqfleet_v1_ConnectionInfo__Output,
} from './mqfleet/v1/ConnectionInfo';
import type {
  CreateMqApiSessionRequest as _mqfleet_v1_CreateMqApiSessionRequest,
  CreateMqApiSessionRequest__Output as _mqfleet_v1_CreateMqApiSessionRequest__Output,
} from './mqfleet/v1/CreateMqApiSessionRequest';
import type {
  CreateMqApiSessionResponse as _mqfleet_v1_CreateMqApiSessionResponse,
  CreateMqApiSessionResponse__Output as _mqfleet_v1_CreateMqApiSessionResponse__Output,
} from './mqfleet/v1/CreateMqApiSessionResponse';
import type {
  DeleteSessionRequest as _mqfleet_v1_DeleteSessionRequest,
  DeleteSessionRequest__Output as _mqfleet_v1_DeleteSessionRequest__Output,
} from './mqfleet/v1/DeleteSessionRequest';
import type {
  DeleteSessionResponse as _mqfleet_v1_DeleteSessionResponse,
  DeleteSessionResponse__Output as _mqfleet_v1_DeleteSessionResponse__Output,
} from './mqfleet/v1/DeleteSessionResponse';
import type {
  DescribeAlterationPropagationRequest as _mqfleet_v1_DescribeAlterationPropagationRequest,
  DescribeAlterationPropagationRequest__Output as _mqfleet_v1_DescribeAlterationPropagationRequest__Output,
} from './mqfleet/v1/DescribeAlterationPropagationRequest';
import type {
  DescribeAlterationPropagationResponse as _mqfleet_v1_DescribeAlterationPropagationResponse,
  DescribeAlterationPropagationResponse__Output as _mqfleet_v1_DescribeAlterationPropagationResponse__Output,
} from './mqfleet/v1/DescribeAlterationPropagationResponse';
import type {
  DescribeSessionsRequest as _mqfleet_v1_DescribeSessionsRequest,
  DescribeSessionsRequest__Output as _mqfleet_v1_DescribeSessionsRequest__Output,
} from './mqfleet/v1/DescribeSessionsRequest';
import type {
  DescribeSessionsResponse as _mqfleet_v1_DescribeSessionsResponse,
  DescribeSessionsResponse__Output as _mqfleet_v1_DescribeSessionsResponse__Output,
} from './mqfleet/v1/DescribeSessionsResponse';
import type {
  GatewayInfo as _mqfleet_v1_GatewayInfo,
  GatewayInfo__Output as _mqfleet_v1_GatewayInfo__Output,
} from './mqfleet/v1/GatewayInfo';
import type {
  GetMessagesRequest as _mqfleet_v1_GetMessagesRequest,
  GetMessagesRequest__Output as _mqfleet_v1_GetMessagesRequest__Output,
} from './mqfleet/v1/GetMessagesRequest';
import type {
  GetMessagesResponse as _mqfleet_v1_GetMessagesResponse,
  GetMessagesResponse__Output as _mqfleet_v1_GetMessagesResponse__Output,
} from './mqfleet/v1/GetMessagesResponse';
import type {
  GetSessionAuditRequest as _mqfleet_v1_GetSessionAuditRequest,
  GetSessionAuditRequest__Output as _mqfleet_v1_GetSessionAuditRequest__Output,
} from './mqfleet/v1/GetSessionAuditRequest';
import type {
  GetSessionAuditResponse as _mqfleet_v1_GetSessionAuditResponse,
  GetSessionAuditResponse__Output as _mqfleet_v1_GetSessionAuditResponse__Output,
} from './mqfleet/v1/GetSessionAuditResponse';
import type {
  GetTopicMessagesRequest as _mqfleet_v1_GetTopicMessagesRequest,
  GetTopicMessagesRequest__Output as _mqfleet_v1_GetTopicMessagesRequest__Output,
} from './mqfleet/v1/GetTopicMessagesRequest';
import type {
  GetTopicMessagesResponse as _mqfleet_v1_GetTopicMessagesResponse,
  GetTopicMessagesResponse__Output as _mqfleet_v1_GetTopicMessagesResponse__Output,
} from './mqfleet/v1/GetTopicMessagesResponse';
import type {
  KeepWillsRequest as _mqfleet_v1_KeepWillsRequest,
  KeepWillsRequest__Output as _mqfleet_v1_KeepWillsRequest__Output,
} from './mqfleet/v1/KeepWillsRequest';
import type {
  KeepWillsResponse as _mqfleet_v1_KeepWillsResponse,
  KeepWillsResponse__Output as _mqfleet_v1_KeepWillsResponse__Output,
} from './mqfleet/v1/KeepWillsResponse';
import type {
  KeptWill as _mqfleet_v1_KeptWill,
  KeptWill__Output as _mqfleet_v1_KeptWill__Output,
} from './mqfleet/v1/KeptWill';
import type {
  ListGatewaysRequest as _mqfleet_v1_ListGatewaysRequest,
  ListGatewaysRequest__Output as _mqfleet_v1_ListGatewaysRequest__Output,
} from './mqfleet/v1/ListGatewaysRequest';
import type {
  ListGatewaysResponse as _mqfleet_v1_ListGatewaysResponse,
  ListGatewaysResponse__Output as _mqfleet_v1_ListGatewaysResponse__Output,
} from './mqfleet/v1/ListGatewaysResponse';
import type {
  ListMqApiSessionsRequest as _mqfleet_v1_ListMqApiSessionsRequest,
  ListMqApiSessionsRequest__Output as _mqfleet_v1_ListMqApiSessionsRequest__Output,
} from './mqfleet/v1/ListMqApiSessionsRequest';
import type {
  ListMqApiSessionsResponse as _mqfleet_v1_ListMqApiSessionsResponse,
  ListMqApiSessionsResponse__Output as _mqfleet_v1_ListMqApiSessionsResponse__Output,
} from './mqfleet/v1/ListMqApiSessionsResponse';
import type {
  ListSessionNamesRequest as _mqfleet_v1_ListSessionNamesRequest,
  ListSessionNamesRequest__Output as _mqfleet_v1_ListSessionNamesRequest__Output,
} from './mqfleet/v1/ListSessionNamesRequest';
import type {
  ListSessionNamesResponse as _mqfleet_v1_ListSessionNamesResponse,
  ListSessionNamesResponse__Output as _mqfleet_v1_ListSessionNamesResponse__Output,
} from './mqfleet/v1/ListSessionNamesResponse';
import type {
  ListSessionsRequest as _mqfleet_v1_ListSessionsRequest,
  ListSessionsRequest__Output as _mqfleet_v1_ListSessionsRequest__Output,
} from './mqfleet/v1/ListSessionsRequest';
import type {
  ListSessionsResponse as _mqfleet_v1_ListSessionsResponse,
  ListSessionsResponse__Output as _mqfleet_v1_ListSessionsResponse__Output,
} from './mqfleet/v1/ListSessionsResponse';
import type {
  OpenSessionRequest as _mqfleet_v1_OpenSessionRequest,
  OpenSessionRequest__Output as _mqfleet_v1_OpenSessionRequest__Output,
} from './mqfleet/v1/OpenSessionRequest';
import type {
  OpenSessionResponse as _mqfleet_v1_OpenSessionResponse,
  OpenSessionResponse__Output as _mqfleet_v1_OpenSessionResponse__Output,
} from './mqfleet/v1/OpenSessionResponse';
import type {
  OpenSessionResult as _mqfleet_v1_OpenSessionResult,
  OpenSessionResult__Output as _mqfleet_v1_OpenSessionResult__Output,
} from './mqfleet/v1/OpenSessionResult';
import type {
  OpenSessionsRequest as _mqfleet_v1_OpenSessionsRequest,
  OpenSessionsRequest__Output as _mqfleet_v1_OpenSessionsRequest__Output,
} from './mqfleet/v1/OpenSessionsRequest';
import type {
  OpenSessionsResponse as _mqfleet_v1_OpenSessionsResponse,
  OpenSessionsResponse__Output as _mqfleet_v1_OpenSessionsResponse__Output,
} from './mqfleet/v1/OpenSessionsResponse';
import type {
  PublishMessage as _mqfleet_v1_PublishMessage,
  PublishMessage__Output as _mqfleet_v1_PublishMessage__Output,
} from './mqfleet/v1/PublishMessage';
import type {
  PublishRequest as _mqfleet_v1_PublishRequest,
  PublishRequest__Output as _mqfleet_v1_PublishRequest__Output,
} from './mqfleet/v1/PublishRequest';
import type {
  PublishResponse as _mqfleet_v1_PublishResponse,
  PublishResponse__Output as _mqfleet_v1_PublishResponse__Output,
} from './mqfleet/v1/PublishResponse';
import type {
  ReceiveRequest as _mqfleet_v1_ReceiveRequest,
  ReceiveRequest__Output as _mqfleet_v1_ReceiveRequest__Output,
} from './mqfleet/v1/ReceiveRequest';
import type {
  Session as _mqfleet_v1_Session,
  Session__Output as _mqfleet_v1_Session__Output,
} from './mqfleet/v1/Session';
import type {
  SessionEventNotice as _mqfleet_v1_SessionEventNotice,
  SessionEventNotice__Output as _mqfleet_v1_SessionEventNotice__Output,
} from './mqfleet/v1/SessionEventNotice';
import type {
  SessionFilter as _mqfleet_v1_SessionFilter,
  SessionFilter__Output as _mqfleet_v1_SessionFilter__Output,
} from './mqfleet/v1/SessionFilter';
import type {
  SessionPatch as _mqfleet_v1_SessionPatch,
  SessionPatch__Output as _mqfleet_v1_SessionPatch__Output,
} from './mqfleet/v1/SessionPatch';
import type {
  SessionServiceClient as _mqfleet_v1_SessionServiceClient,
  SessionServiceDefinition as _mqfleet_v1_SessionServiceDefinition,
} from './mqfleet/v1/SessionService';
import type {
  SessionSettings as _mqfleet_v1_SessionSettings,
  SessionSettings__Output as _mqfleet_v1_SessionSettings__Output,
} from './mqfleet/v1/SessionSettings';
import type {
  StoredMessage as _mqfleet_v1_StoredMessage,
  StoredMessage__Output as _mqfleet_v1_StoredMessage__Output,
} from './mqfleet/v1/StoredMessage';
import type {
  Subscription as _mqfleet_v1_Subscription,
  Subscription__Output as _mqfleet_v1_Subscription__Output,
} from './mqfleet/v1/Subscription';
import type {
  UserProperty as _mqfleet_v1_UserProperty,
  UserProperty__Output as _mqfleet_v1_UserProperty__Output,
} from './mqfleet/v1/UserProperty';
import type {
  UserPropertyList as _mqfleet_v1_UserPropertyList,
  UserPropertyList__Output as _mqfleet_v1_UserPropertyList__Output,
} from './mqfleet/v1/UserPropertyList';
import type {
  WatchSessionEventsRequest as _mqfleet_v1_WatchSessionEventsRequest,
  WatchSessionEventsRequest__Output as _mqfleet_v1_WatchSessionEventsRequest__Output,
} from './mqfleet/v1/WatchSessionEventsRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mqfleet: {
    v1: {
      AlterSessionRequest: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionRequest,
        _mqfleet_v1_AlterSessionRequest__Output
      >;
      AlterSessionResponse: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionResponse,
        _mqfleet_v1_AlterSessionResponse__Output
      >;
      AlterSessionStreamRequest: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionStreamRequest,
        _mqfleet_v1_AlterSessionStreamRequest__Output
      >;
      AlterSessionStreamResult: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionStreamResult,
        _mqfleet_v1_AlterSessionStreamResult__Output
      >;
      AlterSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionsRequest,
        _mqfleet_v1_AlterSessionsRequest__Output
      >;
      AlterSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_AlterSessionsResponse,
        _mqfleet_v1_AlterSessionsResponse__Output
      >;
      AuditEntry: MessageTypeDefinition<_mqfleet_v1_AuditEntry, _mqfleet_v1_AuditEntry__Output>;
      BatchFailure: MessageTypeDefinition<_mqfleet_v1_BatchFailure, _mqfleet_v1_BatchFailure__Output>;
      ChangeSubscriptionsBatchRequest: MessageTypeDefinition<
        _mqfleet_v1_ChangeSubscriptionsBatchRequest,
        _mqfleet_v1_ChangeSubscriptionsBatchRequest__Output
      >;
      ChangeSubscriptionsBatchResponse: MessageTypeDefinition<
        _mqfleet_v1_ChangeSubscriptionsBatchResponse,
        _mqfleet_v1_ChangeSubscriptionsBatchResponse__Output
      >;
      ChangeSubscriptionsRequest: MessageTypeDefinition<
        _mqfleet_v1_ChangeSubscriptionsRequest,
        _mqfleet_v1_ChangeSubscriptionsRequest__Output
      >;
      ChangeSubscriptionsResponse: MessageTypeDefinition<
        _mqfleet_v1_ChangeSubscriptionsResponse,
        _mqfleet_v1_ChangeSubscriptionsResponse__Output
      >;
      ChangeSubscriptionsResult: MessageTypeDefinition<
        _mqfleet_v1_ChangeSubscriptionsResult,
        _mqfleet_v1_ChangeSubscriptionsResult__Output
      >;
      CloseSessionRequest: MessageTypeDefinition<
        _mqfleet_v1_CloseSessionRequest,
        _mqfleet_v1_CloseSessionRequest__Output
      >;
      CloseSessionResponse: MessageTypeDefinition<
        _mqfleet_v1_CloseSessionResponse,
        _mqfleet_v1_CloseSessionResponse__Output
      >;
      CloseSessionResult: MessageTypeDefinition<
        _mqfleet_v1_CloseSessionResult,
        _mqfleet_v1_CloseSessionResult__Output
      >;
      CloseSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_CloseSessionsRequest,
        _mqfleet_v1_CloseSessionsRequest__Output
      >;
      CloseSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_CloseSessionsResponse,
        _mqfleet_v1_CloseSessionsResponse__Output
      >;
      ConnectDeclaration: MessageTypeDefinition<
        _mqfleet_v1_ConnectDeclaration,
        _mqfleet_v1_ConnectDeclaration__Output
      >;
      ConnectionInfo: MessageTypeDefinition<_mqfleet_v1_ConnectionInfo, _mqfleet_v1_ConnectionInfo__Output>;
      ConnectionStatus: EnumTypeDefinition;
      CreateMqApiSessionRequest: MessageTypeDefinition<
        _mqfleet_v1_CreateMqApiSessionRequest,
        _mqfleet_v1_CreateMqApiSessionRequest__Output
      >;
      CreateMqApiSessionResponse: MessageTypeDefinition<
        _mqfleet_v1_CreateMqApiSessionResponse,
        _mqfleet_v1_CreateMqApiSessionResponse__Output
      >;
      DeleteSessionRequest: MessageTypeDefinition<
        _mqfleet_v1_DeleteSessionRequest,
        _mqfleet_v1_DeleteSessionRequest__Output
      >;
      DeleteSessionResponse: MessageTypeDefinition<
        _mqfleet_v1_DeleteSessionResponse,
        _mqfleet_v1_DeleteSessionResponse__Output
      >;
      DescribeAlterationPropagationRequest: MessageTypeDefinition<
        _mqfleet_v1_DescribeAlterationPropagationRequest,
        _mqfleet_v1_DescribeAlterationPropagationRequest__Output
      >;
      DescribeAlterationPropagationResponse: MessageTypeDefinition<
        _mqfleet_v1_DescribeAlterationPropagationResponse,
        _mqfleet_v1_DescribeAlterationPropagationResponse__Output
      >;
      DescribeSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_DescribeSessionsRequest,
        _mqfleet_v1_DescribeSessionsRequest__Output
      >;
      DescribeSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_DescribeSessionsResponse,
        _mqfleet_v1_DescribeSessionsResponse__Output
      >;
      GatewayInfo: MessageTypeDefinition<_mqfleet_v1_GatewayInfo, _mqfleet_v1_GatewayInfo__Output>;
      GetMessagesRequest: MessageTypeDefinition<
        _mqfleet_v1_GetMessagesRequest,
        _mqfleet_v1_GetMessagesRequest__Output
      >;
      GetMessagesResponse: MessageTypeDefinition<
        _mqfleet_v1_GetMessagesResponse,
        _mqfleet_v1_GetMessagesResponse__Output
      >;
      GetSessionAuditRequest: MessageTypeDefinition<
        _mqfleet_v1_GetSessionAuditRequest,
        _mqfleet_v1_GetSessionAuditRequest__Output
      >;
      GetSessionAuditResponse: MessageTypeDefinition<
        _mqfleet_v1_GetSessionAuditResponse,
        _mqfleet_v1_GetSessionAuditResponse__Output
      >;
      GetTopicMessagesRequest: MessageTypeDefinition<
        _mqfleet_v1_GetTopicMessagesRequest,
        _mqfleet_v1_GetTopicMessagesRequest__Output
      >;
      GetTopicMessagesResponse: MessageTypeDefinition<
        _mqfleet_v1_GetTopicMessagesResponse,
        _mqfleet_v1_GetTopicMessagesResponse__Output
      >;
      KeepWillsRequest: MessageTypeDefinition<
        _mqfleet_v1_KeepWillsRequest,
        _mqfleet_v1_KeepWillsRequest__Output
      >;
      KeepWillsResponse: MessageTypeDefinition<
        _mqfleet_v1_KeepWillsResponse,
        _mqfleet_v1_KeepWillsResponse__Output
      >;
      KeptWill: MessageTypeDefinition<_mqfleet_v1_KeptWill, _mqfleet_v1_KeptWill__Output>;
      ListGatewaysRequest: MessageTypeDefinition<
        _mqfleet_v1_ListGatewaysRequest,
        _mqfleet_v1_ListGatewaysRequest__Output
      >;
      ListGatewaysResponse: MessageTypeDefinition<
        _mqfleet_v1_ListGatewaysResponse,
        _mqfleet_v1_ListGatewaysResponse__Output
      >;
      ListMqApiSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListMqApiSessionsRequest,
        _mqfleet_v1_ListMqApiSessionsRequest__Output
      >;
      ListMqApiSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListMqApiSessionsResponse,
        _mqfleet_v1_ListMqApiSessionsResponse__Output
      >;
      ListSessionNamesRequest: MessageTypeDefinition<
        _mqfleet_v1_ListSessionNamesRequest,
        _mqfleet_v1_ListSessionNamesRequest__Output
      >;
      ListSessionNamesResponse: MessageTypeDefinition<
        _mqfleet_v1_ListSessionNamesResponse,
        _mqfleet_v1_ListSessionNamesResponse__Output
      >;
      ListSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListSessionsRequest,
        _mqfleet_v1_ListSessionsRequest__Output
      >;
      ListSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListSessionsResponse,
        _mqfleet_v1_ListSessionsResponse__Output
      >;
      OpenRefusal: EnumTypeDefinition;
      OpenSessionRequest: MessageTypeDefinition<
        _mqfleet_v1_OpenSessionRequest,
        _mqfleet_v1_OpenSessionRequest__Output
      >;
      OpenSessionResponse: MessageTypeDefinition<
        _mqfleet_v1_OpenSessionResponse,
        _mqfleet_v1_OpenSessionResponse__Output
      >;
      OpenSessionResult: MessageTypeDefinition<
        _mqfleet_v1_OpenSessionResult,
        _mqfleet_v1_OpenSessionResult__Output
      >;
      OpenSessionsRequest: MessageTypeDefinition<
        _mqfleet_v1_OpenSessionsRequest,
        _mqfleet_v1_OpenSessionsRequest__Output
      >;
      OpenSessionsResponse: MessageTypeDefinition<
        _mqfleet_v1_OpenSessionsResponse,
        _mqfleet_v1_OpenSessionsResponse__Output
      >;
      PublishMessage: MessageTypeDefinition<_mqfleet_v1_PublishMessage, _mqfleet_v1_PublishMessage__Output>;
      PublishRequest: MessageTypeDefinition<_mqfleet_v1_PublishRequest, _mqfleet_v1_PublishRequest__Output>;
      PublishResponse: MessageTypeDefinition<
        _mqfleet_v1_PublishResponse,
        _mqfleet_v1_PublishResponse__Output
      >;
      ReceiveRequest: MessageTypeDefinition<_mqfleet_v1_ReceiveRequest, _mqfleet_v1_ReceiveRequest__Output>;
      Session: MessageTypeDefinition<_mqfleet_v1_Session, _mqfleet_v1_Session__Output>;
      SessionEventNotice: MessageTypeDefinition<
        _mqfleet_v1_SessionEventNotice,
        _mqfleet_v1_SessionEventNotice__Output
      >;
      SessionFilter: MessageTypeDefinition<_mqfleet_v1_SessionFilter, _mqfleet_v1_SessionFilter__Output>;
      SessionPatch: MessageTypeDefinition<_mqfleet_v1_SessionPatch, _mqfleet_v1_SessionPatch__Output>;
      SessionService: SubtypeConstructor<typeof grpc.Client, _mqfleet_v1_SessionServiceClient> & {
        service: _mqfleet_v1_SessionServiceDefinition;
      };
      SessionSettings: MessageTypeDefinition<
        _mqfleet_v1_SessionSettings,
        _mqfleet_v1_SessionSettings__Output
      >;
      SessionStatus: EnumTypeDefinition;
      StoredMessage: MessageTypeDefinition<_mqfleet_v1_StoredMessage, _mqfleet_v1_StoredMessage__Output>;
      Subscription: MessageTypeDefinition<_mqfleet_v1_Subscription, _mqfleet_v1_Subscription__Output>;
      UserProperty: MessageTypeDefinition<_mqfleet_v1_UserProperty, _mqfleet_v1_UserProperty__Output>;
      UserPropertyList: MessageTypeDefinition<
        _mqfleet_v1_UserPropertyList,
        _mqfleet_v1_UserPropertyList__Output
      >;
      WatchSessionEventsRequest: MessageTypeDefinition<
        _mqfleet_v1_WatchSessionEventsRequest,
        _mqfleet_v1_WatchSessionEventsRequest__Output
      >;
    };
  };
}
