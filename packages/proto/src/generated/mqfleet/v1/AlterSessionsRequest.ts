// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionFilter as _mqfleet_v1_SessionFilter,
  SessionFilter__Output as _mqfleet_v1_SessionFilter__Output,
} from '../../mqfleet/v1/SessionFilter';
import type {
  SessionPatch as _mqfleet_v1_SessionPatch,
  SessionPatch__Output as _mqfleet_v1_SessionPatch__Output,
} from '../../mqfleet/v1/SessionPatch';

export interface AlterSessionsRequest {
  filter?: _mqfleet_v1_SessionFilter | null;
  patch?: _mqfleet_v1_SessionPatch | null;
}

export interface AlterSessionsRequest__Output {
  filter: _mqfleet_v1_SessionFilter__Output | null;
  patch: _mqfleet_v1_SessionPatch__Output | null;
}
