// Original file: proto/mqfleet/v1/session.proto

import type {
  OpenRefusal as _mqfleet_v1_OpenRefusal,
  OpenRefusal__Output as _mqfleet_v1_OpenRefusal__Output,
} from '../../mqfleet/v1/OpenRefusal';
import type {
  Session as _mqfleet_v1_Session,
  Session__Output as _mqfleet_v1_Session__Output,
} from '../../mqfleet/v1/Session';

export interface OpenSessionResponse {
  refusal?: _mqfleet_v1_OpenRefusal;
  sessionPresent?: boolean;
  session?: _mqfleet_v1_Session | null;
}

export interface OpenSessionResponse__Output {
  refusal: _mqfleet_v1_OpenRefusal__Output;
  sessionPresent: boolean;
  session: _mqfleet_v1_Session__Output | null;
}
