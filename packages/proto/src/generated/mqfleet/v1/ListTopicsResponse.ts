// Original file: proto/mqfleet/v1/topics.proto

export interface ListTopicsResponse {
  names?: string[];
}

export interface ListTopicsResponse__Output {
  names: string[];
}
