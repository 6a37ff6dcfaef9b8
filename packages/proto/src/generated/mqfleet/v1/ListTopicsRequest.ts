// Original file: proto/mqfleet/v1/topics.proto

export interface ListTopicsRequest {
  partialName?: string;
  search?: string;
  skipRecords?: number;
  maxRecords?: number;
}

export interface ListTopicsRequest__Output {
  partialName: string;
  search: string;
  skipRecords: number;
  maxRecords: number;
}
