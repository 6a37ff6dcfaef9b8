// Original file: proto/mqfleet/v1/session.proto

import type {
  PublishMessage as _mqfleet_v1_PublishMessage,
  PublishMessage__Output as _mqfleet_v1_PublishMessage__Output,
} from '../../mqfleet/v1/PublishMessage';

export interface PublishRequest {
  clientName?: string;
  topic?: string;
  messages?: _mqfleet_v1_PublishMessage[];
}

export interface PublishRequest__Output {
  clientName: string;
  topic: string;
  messages: _mqfleet_v1_PublishMessage__Output[];
}
