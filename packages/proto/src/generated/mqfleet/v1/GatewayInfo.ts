// Original file: proto/mqfleet/v1/session.proto

import type { Long } from '@grpc/proto-loader';

export interface GatewayInfo {
  gatewayId?: string;
  host?: string;
  mqttPort?: number;
  connections?: number;
  lastSeenAt?: string;
  refusedConnections?: number | string | Long;
}

export interface GatewayInfo__Output {
  gatewayId: string;
  host: string;
  mqttPort: number;
  connections: number;
  lastSeenAt: string;
  refusedConnections: string;
}
