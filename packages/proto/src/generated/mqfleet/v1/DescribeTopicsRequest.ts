// Original file: proto/mqfleet/v1/topics.proto

export interface DescribeTopicsRequest {
  topics?: string[];
  maxSubscribers?: number;
}

export interface DescribeTopicsRequest__Output {
  topics: string[];
  maxSubscribers: number;
}
