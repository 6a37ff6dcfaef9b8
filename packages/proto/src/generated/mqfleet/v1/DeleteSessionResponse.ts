// Original file: proto/mqfleet/v1/session.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteSessionResponse {
  deleted?: boolean;
  wasConnected?: boolean;
  version?: number | string | Long;
}

export interface DeleteSessionResponse__Output {
  deleted: boolean;
  wasConnected: boolean;
  version: string;
}
