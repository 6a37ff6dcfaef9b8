// Original file: proto/mqfleet/v1/session.proto

import type { Long } from '@grpc/proto-loader';

export interface DescribeAlterationPropagationResponse {
  windowSeconds?: number;
  count?: number | string | Long;
  gateways?: number;
  p50Ms?: number | string;
  p90Ms?: number | string;
  p99Ms?: number | string;
  maxMs?: number | string;
  meanMs?: number | string;
  _p50Ms?: 'p50Ms';
  _p90Ms?: 'p90Ms';
  _p99Ms?: 'p99Ms';
  _maxMs?: 'maxMs';
  _meanMs?: 'meanMs';
}

export interface DescribeAlterationPropagationResponse__Output {
  windowSeconds: number;
  count: string;
  gateways: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  meanMs?: number;
  _p50Ms?: 'p50Ms';
  _p90Ms?: 'p90Ms';
  _p99Ms?: 'p99Ms';
  _maxMs?: 'maxMs';
  _meanMs?: 'meanMs';
}
