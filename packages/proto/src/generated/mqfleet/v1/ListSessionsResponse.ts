// Original file: proto/mqfleet/v1/session.proto

import type {
  Session as _mqfleet_v1_Session,
  Session__Output as _mqfleet_v1_Session__Output,
} from '../../mqfleet/v1/Session';

export interface ListSessionsResponse {
  sessions?: _mqfleet_v1_Session[];
  nextCursor?: string;
}

export interface ListSessionsResponse__Output {
  sessions: _mqfleet_v1_Session__Output[];
  nextCursor: string;
}
