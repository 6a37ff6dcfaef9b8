// Original file: proto/mqfleet/v1/session.proto

import type {
  AuditEntry as _mqfleet_v1_AuditEntry,
  AuditEntry__Output as _mqfleet_v1_AuditEntry__Output,
} from '../../mqfleet/v1/AuditEntry';

export interface GetSessionAuditResponse {
  entries?: _mqfleet_v1_AuditEntry[];
}

export interface GetSessionAuditResponse__Output {
  entries: _mqfleet_v1_AuditEntry__Output[];
}
