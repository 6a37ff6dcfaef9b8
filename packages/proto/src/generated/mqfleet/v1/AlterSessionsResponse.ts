// Original file: proto/mqfleet/v1/session.proto

export interface AlterSessionsResponse {
  matched?: number;
  changed?: number;
  connected?: number;
  liveApplied?: number;
}

export interface AlterSessionsResponse__Output {
  matched: number;
  changed: number;
  connected: number;
  liveApplied: number;
}
