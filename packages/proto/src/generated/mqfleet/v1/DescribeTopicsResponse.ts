// Original file: proto/mqfleet/v1/topics.proto

import type {
  TopicInfo as _mqfleet_v1_TopicInfo,
  TopicInfo__Output as _mqfleet_v1_TopicInfo__Output,
} from '../../mqfleet/v1/TopicInfo';

export interface DescribeTopicsResponse {
  topics?: _mqfleet_v1_TopicInfo[];
}

export interface DescribeTopicsResponse__Output {
  topics: _mqfleet_v1_TopicInfo__Output[];
}
