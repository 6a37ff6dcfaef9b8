// Original file: proto/mqfleet/v1/labels.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AlterLabelRequest as _mqfleet_v1_AlterLabelRequest,
  AlterLabelRequest__Output as _mqfleet_v1_AlterLabelRequest__Output,
} from '../../mqfleet/v1/AlterLabelRequest';
import type {
  AlterLabelResponse as _mqfleet_v1_AlterLabelResponse,
  AlterLabelResponse__Output as _mqfleet_v1_AlterLabelResponse__Output,
} from '../../mqfleet/v1/AlterLabelResponse';
import type {
  ChangeLabelsRequest as _mqfleet_v1_ChangeLabelsRequest,
  ChangeLabelsRequest__Output as _mqfleet_v1_ChangeLabelsRequest__Output,
} from '../../mqfleet/v1/ChangeLabelsRequest';
import type {
  ChangeLabelsResponse as _mqfleet_v1_ChangeLabelsResponse,
  ChangeLabelsResponse__Output as _mqfleet_v1_ChangeLabelsResponse__Output,
} from '../../mqfleet/v1/ChangeLabelsResponse';
import type {
  CreateLabelRequest as _mqfleet_v1_CreateLabelRequest,
  CreateLabelRequest__Output as _mqfleet_v1_CreateLabelRequest__Output,
} from '../../mqfleet/v1/CreateLabelRequest';
import type {
  CreateLabelResponse as _mqfleet_v1_CreateLabelResponse,
  CreateLabelResponse__Output as _mqfleet_v1_CreateLabelResponse__Output,
} from '../../mqfleet/v1/CreateLabelResponse';
import type {
  ListLabelGroupsRequest as _mqfleet_v1_ListLabelGroupsRequest,
  ListLabelGroupsRequest__Output as _mqfleet_v1_ListLabelGroupsRequest__Output,
} from '../../mqfleet/v1/ListLabelGroupsRequest';
import type {
  ListLabelGroupsResponse as _mqfleet_v1_ListLabelGroupsResponse,
  ListLabelGroupsResponse__Output as _mqfleet_v1_ListLabelGroupsResponse__Output,
} from '../../mqfleet/v1/ListLabelGroupsResponse';
import type {
  ListLabelsRequest as _mqfleet_v1_ListLabelsRequest,
  ListLabelsRequest__Output as _mqfleet_v1_ListLabelsRequest__Output,
} from '../../mqfleet/v1/ListLabelsRequest';
import type {
  ListLabelsResponse as _mqfleet_v1_ListLabelsResponse,
  ListLabelsResponse__Output as _mqfleet_v1_ListLabelsResponse__Output,
} from '../../mqfleet/v1/ListLabelsResponse';

export interface LabelServiceClient extends grpc.Client {
  AlterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterLabel(
    argument: _mqfleet_v1_AlterLabelRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterLabelResponse__Output>,
  ): grpc.ClientUnaryCall;

  ChangeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ChangeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  changeLabels(
    argument: _mqfleet_v1_ChangeLabelsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ChangeLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;

  CreateLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  createLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  createLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  createLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;
  createLabel(
    argument: _mqfleet_v1_CreateLabelRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateLabelResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabelGroups(
    argument: _mqfleet_v1_ListLabelGroupsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelGroupsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listLabels(
    argument: _mqfleet_v1_ListLabelsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListLabelsResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface LabelServiceHandlers extends grpc.UntypedServiceImplementation {
  AlterLabel: grpc.handleUnaryCall<_mqfleet_v1_AlterLabelRequest__Output, _mqfleet_v1_AlterLabelResponse>;

  ChangeLabels: grpc.handleUnaryCall<
    _mqfleet_v1_ChangeLabelsRequest__Output,
    _mqfleet_v1_ChangeLabelsResponse
  >;

  CreateLabel: grpc.handleUnaryCall<_mqfleet_v1_CreateLabelRequest__Output, _mqfleet_v1_CreateLabelResponse>;

  ListLabelGroups: grpc.handleUnaryCall<
    _mqfleet_v1_ListLabelGroupsRequest__Output,
    _mqfleet_v1_ListLabelGroupsResponse
  >;

  ListLabels: grpc.handleUnaryCall<_mqfleet_v1_ListLabelsRequest__Output, _mqfleet_v1_ListLabelsResponse>;
}

export interface LabelServiceDefinition extends grpc.ServiceDefinition {
  AlterLabel: MethodDefinition<
    _mqfleet_v1_AlterLabelRequest,
    _mqfleet_v1_AlterLabelResponse,
    _mqfleet_v1_AlterLabelRequest__Output,
    _mqfleet_v1_AlterLabelResponse__Output
  >;
  ChangeLabels: MethodDefinition<
    _mqfleet_v1_ChangeLabelsRequest,
    _mqfleet_v1_ChangeLabelsResponse,
    _mqfleet_v1_ChangeLabelsRequest__Output,
    _mqfleet_v1_ChangeLabelsResponse__Output
  >;
  CreateLabel: MethodDefinition<
    _mqfleet_v1_CreateLabelRequest,
    _mqfleet_v1_CreateLabelResponse,
    _mqfleet_v1_CreateLabelRequest__Output,
    _mqfleet_v1_CreateLabelResponse__Output
  >;
  ListLabelGroups: MethodDefinition<
    _mqfleet_v1_ListLabelGroupsRequest,
    _mqfleet_v1_ListLabelGroupsResponse,
    _mqfleet_v1_ListLabelGroupsRequest__Output,
    _mqfleet_v1_ListLabelGroupsResponse__Output
  >;
  ListLabels: MethodDefinition<
    _mqfleet_v1_ListLabelsRequest,
    _mqfleet_v1_ListLabelsResponse,
    _mqfleet_v1_ListLabelsRequest__Output,
    _mqfleet_v1_ListLabelsResponse__Output
  >;
}
