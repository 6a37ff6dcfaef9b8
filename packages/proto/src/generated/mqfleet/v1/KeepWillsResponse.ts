// Original file: proto/mqfleet/v1/session.proto

export interface KeepWillsResponse {
  kept?: boolean[];
}

export interface KeepWillsResponse__Output {
  kept: boolean[];
}
