// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionPatch as _mqfleet_v1_SessionPatch,
  SessionPatch__Output as _mqfleet_v1_SessionPatch__Output,
} from '../../mqfleet/v1/SessionPatch';

export interface CreateMqApiSessionRequest {
  clientName?: string;
  patch?: _mqfleet_v1_SessionPatch | null;
}

export interface CreateMqApiSessionRequest__Output {
  clientName: string;
  patch: _mqfleet_v1_SessionPatch__Output | null;
}
