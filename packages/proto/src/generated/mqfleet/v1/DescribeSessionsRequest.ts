// Original file: proto/mqfleet/v1/session.proto

export interface DescribeSessionsRequest {
  clientNames?: string[];
  includeStats?: boolean;
  includePublishedTopics?: boolean;
}

export interface DescribeSessionsRequest__Output {
  clientNames: string[];
  includeStats: boolean;
  includePublishedTopics: boolean;
}
