// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionFilter as _mqfleet_v1_SessionFilter,
  SessionFilter__Output as _mqfleet_v1_SessionFilter__Output,
} from '../../mqfleet/v1/SessionFilter';

export interface ListSessionsRequest {
  filter?: _mqfleet_v1_SessionFilter | null;
  sortBy?: string;
  descending?: boolean;
  skipRecords?: number;
  maxRecords?: number;
  cursor?: string;
}

export interface ListSessionsRequest__Output {
  filter: _mqfleet_v1_SessionFilter__Output | null;
  sortBy: string;
  descending: boolean;
  skipRecords: number;
  maxRecords: number;
  cursor: string;
}
