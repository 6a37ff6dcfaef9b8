// Original file: proto/mqfleet/v1/session.proto

import type {
  ConnectionStatus as _mqfleet_v1_ConnectionStatus,
  ConnectionStatus__Output as _mqfleet_v1_ConnectionStatus__Output,
} from '../../mqfleet/v1/ConnectionStatus';

export interface ConnectionInfo {
  status?: _mqfleet_v1_ConnectionStatus;
  gatewayId?: string;
  connectionId?: string;
  ipAddress?: string;
  port?: number;
  mqttProtocol?: string;
  username?: string;
  connectedAt?: string;
  disconnectedAt?: string;
  disconnectionReason?: string;
  lastFailedConnectionAt?: string;
  lastFailedConnectionReason?: string;
}

export interface ConnectionInfo__Output {
  status: _mqfleet_v1_ConnectionStatus__Output;
  gatewayId: string;
  connectionId: string;
  ipAddress: string;
  port: number;
  mqttProtocol: string;
  username: string;
  connectedAt: string;
  disconnectedAt: string;
  disconnectionReason: string;
  lastFailedConnectionAt: string;
  lastFailedConnectionReason: string;
}
