// Original file: proto/mqfleet/v1/session.proto

export interface ListMqApiSessionsRequest {
  after?: string;
  limit?: number;
}

export interface ListMqApiSessionsRequest__Output {
  after: string;
  limit: number;
}
