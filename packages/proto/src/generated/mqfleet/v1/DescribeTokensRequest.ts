// Original file: proto/mqfleet/v1/auth.proto

export interface DescribeTokensRequest {
  ids?: string[];
}

export interface DescribeTokensRequest__Output {
  ids: string[];
}
