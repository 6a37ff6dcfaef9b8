// Original file: proto/mqfleet/v1/topics.proto

import type {
  TopicSubscriber as _mqfleet_v1_TopicSubscriber,
  TopicSubscriber__Output as _mqfleet_v1_TopicSubscriber__Output,
} from '../../mqfleet/v1/TopicSubscriber';

export interface TopicSubscription {
  topicFilter?: string;
  subscribers?: _mqfleet_v1_TopicSubscriber[];
}

export interface TopicSubscription__Output {
  topicFilter: string;
  subscribers: _mqfleet_v1_TopicSubscriber__Output[];
}
