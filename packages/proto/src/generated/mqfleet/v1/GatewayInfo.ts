// Original file: proto/mqfleet/v1/session.proto

export interface GatewayInfo {
  gatewayId?: string;
  host?: string;
  mqttPort?: number;
  connections?: number;
  lastSeenAt?: string;
}

export interface GatewayInfo__Output {
  gatewayId: string;
  host: string;
  mqttPort: number;
  connections: number;
  lastSeenAt: string;
}
