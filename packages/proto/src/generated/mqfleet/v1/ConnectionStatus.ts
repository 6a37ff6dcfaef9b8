// Original file: proto/mqfleet/v1/session.proto

export const ConnectionStatus = {
  CONNECTION_STATUS_UNSPECIFIED: 'CONNECTION_STATUS_UNSPECIFIED',
  CONNECTION_STATUS_DISCONNECTED: 'CONNECTION_STATUS_DISCONNECTED',
  CONNECTION_STATUS_CONNECTED: 'CONNECTION_STATUS_CONNECTED',
} as const;

export type ConnectionStatus =
  | 'CONNECTION_STATUS_UNSPECIFIED'
  | 0
  | 'CONNECTION_STATUS_DISCONNECTED'
  | 1
  | 'CONNECTION_STATUS_CONNECTED'
  | 2;

export type ConnectionStatus__Output = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];
