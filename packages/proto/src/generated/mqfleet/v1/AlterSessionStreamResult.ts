// Original file: proto/mqfleet/v1/session.proto

import type {
  AlterSessionResponse as _mqfleet_v1_AlterSessionResponse,
  AlterSessionResponse__Output as _mqfleet_v1_AlterSessionResponse__Output,
} from '../../mqfleet/v1/AlterSessionResponse';

export interface AlterSessionStreamResult {
  id?: number;
  response?: _mqfleet_v1_AlterSessionResponse | null;
  errorCode?: string;
  errorMessage?: string;
  errorProperty?: string;
}

export interface AlterSessionStreamResult__Output {
  id: number;
  response: _mqfleet_v1_AlterSessionResponse__Output | null;
  errorCode: string;
  errorMessage: string;
  errorProperty: string;
}
