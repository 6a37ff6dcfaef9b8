// Original file: proto/mqfleet/v1/topics.proto

import type {
  TopicSubscription as _mqfleet_v1_TopicSubscription,
  TopicSubscription__Output as _mqfleet_v1_TopicSubscription__Output,
} from '../../mqfleet/v1/TopicSubscription';
import type { Long } from '@grpc/proto-loader';

export interface TopicInfo {
  name?: string;
  createdAt?: string;
  lastMessageAt?: string;
  messageCount?: number | string | Long;
  averageMessagesPerMinute?: number | string;
  averageMessagesPerHour?: number | string;
  averageMessagesPerDay?: number | string;
  subscriptions?: _mqfleet_v1_TopicSubscription[];
  subscriberCount?: number;
}

export interface TopicInfo__Output {
  name: string;
  createdAt: string;
  lastMessageAt: string;
  messageCount: string;
  averageMessagesPerMinute: number;
  averageMessagesPerHour: number;
  averageMessagesPerDay: number;
  subscriptions: _mqfleet_v1_TopicSubscription__Output[];
  subscriberCount: number;
}
