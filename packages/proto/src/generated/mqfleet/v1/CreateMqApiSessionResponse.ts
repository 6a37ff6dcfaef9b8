// Original file: proto/mqfleet/v1/session.proto

import type {
  Session as _mqfleet_v1_Session,
  Session__Output as _mqfleet_v1_Session__Output,
} from '../../mqfleet/v1/Session';

export interface CreateMqApiSessionResponse {
  session?: _mqfleet_v1_Session | null;
}

export interface CreateMqApiSessionResponse__Output {
  session: _mqfleet_v1_Session__Output | null;
}
