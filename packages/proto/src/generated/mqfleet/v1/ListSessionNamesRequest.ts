// Original file: proto/mqfleet/v1/session.proto

export interface ListSessionNamesRequest {
  after?: string;
  limit?: number;
}

export interface ListSessionNamesRequest__Output {
  after: string;
  limit: number;
}
