// Original file: proto/mqfleet/v1/session.proto

export interface CloseSessionResponse {
  closed?: boolean;
  sessionRemoved?: boolean;
}

export interface CloseSessionResponse__Output {
  closed: boolean;
  sessionRemoved: boolean;
}
