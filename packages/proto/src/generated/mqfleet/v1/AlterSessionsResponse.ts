// Original file: proto/mqfleet/v1/session.proto

export interface AlterSessionsResponse {
  matched?: number;
  changed?: number;
}

export interface AlterSessionsResponse__Output {
  matched: number;
  changed: number;
}
