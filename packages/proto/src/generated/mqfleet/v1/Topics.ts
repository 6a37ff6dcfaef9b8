// Original file: proto/mqfleet/v1/topics.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  DescribeTopicsRequest as _mqfleet_v1_DescribeTopicsRequest,
  DescribeTopicsRequest__Output as _mqfleet_v1_DescribeTopicsRequest__Output,
} from '../../mqfleet/v1/DescribeTopicsRequest';
import type {
  DescribeTopicsResponse as _mqfleet_v1_DescribeTopicsResponse,
  DescribeTopicsResponse__Output as _mqfleet_v1_DescribeTopicsResponse__Output,
} from '../../mqfleet/v1/DescribeTopicsResponse';
import type {
  ListTopicsRequest as _mqfleet_v1_ListTopicsRequest,
  ListTopicsRequest__Output as _mqfleet_v1_ListTopicsRequest__Output,
} from '../../mqfleet/v1/ListTopicsRequest';
import type {
  ListTopicsResponse as _mqfleet_v1_ListTopicsResponse,
  ListTopicsResponse__Output as _mqfleet_v1_ListTopicsResponse__Output,
} from '../../mqfleet/v1/ListTopicsResponse';

export interface TopicsClient extends grpc.Client {
  DescribeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTopics(
    argument: _mqfleet_v1_DescribeTopicsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listTopics(
    argument: _mqfleet_v1_ListTopicsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListTopicsResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface TopicsHandlers extends grpc.UntypedServiceImplementation {
  DescribeTopics: grpc.handleUnaryCall<
    _mqfleet_v1_DescribeTopicsRequest__Output,
    _mqfleet_v1_DescribeTopicsResponse
  >;

  ListTopics: grpc.handleUnaryCall<_mqfleet_v1_ListTopicsRequest__Output, _mqfleet_v1_ListTopicsResponse>;
}

export interface TopicsDefinition extends grpc.ServiceDefinition {
  DescribeTopics: MethodDefinition<
    _mqfleet_v1_DescribeTopicsRequest,
    _mqfleet_v1_DescribeTopicsResponse,
    _mqfleet_v1_DescribeTopicsRequest__Output,
    _mqfleet_v1_DescribeTopicsResponse__Output
  >;
  ListTopics: MethodDefinition<
    _mqfleet_v1_ListTopicsRequest,
    _mqfleet_v1_ListTopicsResponse,
    _mqfleet_v1_ListTopicsRequest__Output,
    _mqfleet_v1_ListTopicsResponse__Output
  >;
}
