// Original file: proto/mqfleet/v1/session.proto

import type { Long } from '@grpc/proto-loader';

export interface GetSessionAuditRequest {
  clientName?: string;
  afterVersion?: number | string | Long;
  maxRecords?: number;
}

export interface GetSessionAuditRequest__Output {
  clientName: string;
  afterVersion: string;
  maxRecords: number;
}
