// Original file: proto/mqfleet/v1/session.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEntry {
  version?: number | string | Long;
  actor?: string;
  action?: string;
  changesJson?: string;
  at?: string;
}

export interface AuditEntry__Output {
  version: string;
  actor: string;
  action: string;
  changesJson: string;
  at: string;
}
