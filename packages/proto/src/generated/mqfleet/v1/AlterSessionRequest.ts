// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionPatch as _mqfleet_v1_SessionPatch,
  SessionPatch__Output as _mqfleet_v1_SessionPatch__Output,
} from '../../mqfleet/v1/SessionPatch';
import type { Long } from '@grpc/proto-loader';

export interface AlterSessionRequest {
  clientName?: string;
  patch?: _mqfleet_v1_SessionPatch | null;
  expectedVersion?: number | string | Long;
  _expectedVersion?: 'expectedVersion';
}

export interface AlterSessionRequest__Output {
  clientName: string;
  patch: _mqfleet_v1_SessionPatch__Output | null;
  expectedVersion?: string;
  _expectedVersion?: 'expectedVersion';
}
