// Original file: proto/mqfleet/v1/session.proto

import type {
  AlterSessionRequest as _mqfleet_v1_AlterSessionRequest,
  AlterSessionRequest__Output as _mqfleet_v1_AlterSessionRequest__Output,
} from '../../mqfleet/v1/AlterSessionRequest';

export interface AlterSessionStreamRequest {
  id?: number;
  authToken?: string;
  request?: _mqfleet_v1_AlterSessionRequest | null;
  requestId?: string;
}

export interface AlterSessionStreamRequest__Output {
  id: number;
  authToken: string;
  request: _mqfleet_v1_AlterSessionRequest__Output | null;
  requestId: string;
}
