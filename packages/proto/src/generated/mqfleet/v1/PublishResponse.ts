// Original file: proto/mqfleet/v1/session.proto

export interface PublishResponse {
  reasonCodes?: number[];
}

export interface PublishResponse__Output {
  reasonCodes: number[];
}
