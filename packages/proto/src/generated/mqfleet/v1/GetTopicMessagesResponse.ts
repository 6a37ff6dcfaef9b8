// Original file: proto/mqfleet/v1/session.proto

import type {
  StoredMessage as _mqfleet_v1_StoredMessage,
  StoredMessage__Output as _mqfleet_v1_StoredMessage__Output,
} from '../../mqfleet/v1/StoredMessage';
import type { Long } from '@grpc/proto-loader';

export interface GetTopicMessagesResponse {
  messages?: _mqfleet_v1_StoredMessage[];
  kept?: number | string | Long;
  stored?: boolean;
}

export interface GetTopicMessagesResponse__Output {
  messages: _mqfleet_v1_StoredMessage__Output[];
  kept: string;
  stored: boolean;
}
