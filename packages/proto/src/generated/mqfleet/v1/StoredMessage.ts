// Original file: proto/mqfleet/v1/session.proto

import type {
  UserProperty as _mqfleet_v1_UserProperty,
  UserProperty__Output as _mqfleet_v1_UserProperty__Output,
} from '../../mqfleet/v1/UserProperty';
import type { Long } from '@grpc/proto-loader';

export interface StoredMessage {
  topic?: string;
  payload?: Buffer | Uint8Array | string;
  qos?: number;
  retain?: boolean;
  contentType?: string;
  correlationData?: Buffer | Uint8Array | string;
  responseTopic?: string;
  expirySeconds?: number;
  payloadUtf8?: boolean;
  userProperties?: _mqfleet_v1_UserProperty[];
  subscriptionIdentifiers?: number[];
  receivedAt?: string;
  sequence?: number | string | Long;
  clientName?: string;
}

export interface StoredMessage__Output {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  contentType: string;
  correlationData: string;
  responseTopic: string;
  expirySeconds: number;
  payloadUtf8: boolean;
  userProperties: _mqfleet_v1_UserProperty__Output[];
  subscriptionIdentifiers: number[];
  receivedAt: string;
  sequence: string;
  clientName: string;
}
