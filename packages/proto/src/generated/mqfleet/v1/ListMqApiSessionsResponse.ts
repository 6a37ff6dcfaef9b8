// Original file: proto/mqfleet/v1/session.proto

import type {
  Session as _mqfleet_v1_Session,
  Session__Output as _mqfleet_v1_Session__Output,
} from '../../mqfleet/v1/Session';

export interface ListMqApiSessionsResponse {
  sessions?: _mqfleet_v1_Session[];
  next?: string;
}

export interface ListMqApiSessionsResponse__Output {
  sessions: _mqfleet_v1_Session__Output[];
  next: string;
}
