// Original file: proto/mqfleet/v1/session.proto

import type {
  StoredMessage as _mqfleet_v1_StoredMessage,
  StoredMessage__Output as _mqfleet_v1_StoredMessage__Output,
} from '../../mqfleet/v1/StoredMessage';
import type { Long } from '@grpc/proto-loader';

export interface GetMessagesResponse {
  messages?: _mqfleet_v1_StoredMessage[];
  remaining?: number | string | Long;
}

export interface GetMessagesResponse__Output {
  messages: _mqfleet_v1_StoredMessage__Output[];
  remaining: string;
}
