// Original file: proto/mqfleet/v1/session.proto

export interface DescribeAlterationPropagationRequest {
  windowSeconds?: number;
}

export interface DescribeAlterationPropagationRequest__Output {
  windowSeconds: number;
}
