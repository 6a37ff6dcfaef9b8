import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  DescribeTopicsRequest as _mqfleet_v1_DescribeTopicsRequest,
  DescribeTopicsRequest__Output as _mqfleet_v1_DescribeTopicsRequest__Output,
} from './mqfleet/v1/DescribeTopicsRequest';
import type {
  DescribeTopicsResponse as _mqfleet_v1_DescribeTopicsResponse,
  DescribeTopicsResponse__Output as _mqfleet_v1_DescribeTopicsResponse__Output,
} from './mqfleet/v1/DescribeTopicsResponse';
import type {
  ListTopicsRequest as _mqfleet_v1_ListTopicsRequest,
  ListTopicsRequest__Output as _mqfleet_v1_ListTopicsRequest__Output,
} from './mqfleet/v1/ListTopicsRequest';
import type {
  ListTopicsResponse as _mqfleet_v1_ListTopicsResponse,
  ListTopicsResponse__Output as _mqfleet_v1_ListTopicsResponse__Output,
} from './mqfleet/v1/ListTopicsResponse';
import type {
  TopicInfo as _mqfleet_v1_TopicInfo,
  TopicInfo__Output as _mqfleet_v1_TopicInfo__Output,
} from './mqfleet/v1/TopicInfo';
import type {
  TopicSubscriber as _mqfleet_v1_TopicSubscriber,
  TopicSubscriber__Output as _mqfleet_v1_TopicSubscriber__Output,
} from './mqfleet/v1/TopicSubscriber';
import type {
  TopicSubscription as _mqfleet_v1_TopicSubscription,
  TopicSubscription__Output as _mqfleet_v1_TopicSubscription__Output,
} from './mqfleet/v1/TopicSubscription';
import type {
  TopicsClient as _mqfleet_v1_TopicsClient,
  TopicsDefinition as _mqfleet_v1_TopicsDefinition,
} from './mqfleet/v1/Topics';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mqfleet: {
    v1: {
      DescribeTopicsRequest: MessageTypeDefinition<
        _mqfleet_v1_DescribeTopicsRequest,
        _mqfleet_v1_DescribeTopicsRequest__Output
      >;
      DescribeTopicsResponse: MessageTypeDefinition<
        _mqfleet_v1_DescribeTopicsResponse,
        _mqfleet_v1_DescribeTopicsResponse__Output
      >;
      ListTopicsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListTopicsRequest,
        _mqfleet_v1_ListTopicsRequest__Output
      >;
      ListTopicsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListTopicsResponse,
        _mqfleet_v1_ListTopicsResponse__Output
      >;
      TopicInfo: MessageTypeDefinition<_mqfleet_v1_TopicInfo, _mqfleet_v1_TopicInfo__Output>;
      TopicSubscriber: MessageTypeDefinition<
        _mqfleet_v1_TopicSubscriber,
        _mqfleet_v1_TopicSubscriber__Output
      >;
      TopicSubscription: MessageTypeDefinition<
        _mqfleet_v1_TopicSubscription,
        _mqfleet_v1_TopicSubscription__Output
      >;
      Topics: SubtypeConstructor<typeof grpc.Client, _mqfleet_v1_TopicsClient> & {
        service: _mqfleet_v1_TopicsDefinition;
      };
    };
  };
}
