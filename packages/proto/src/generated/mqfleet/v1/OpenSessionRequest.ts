// Original file: proto/mqfleet/v1/session.proto

import type {
  ConnectDeclaration as _mqfleet_v1_ConnectDeclaration,
  ConnectDeclaration__Output as _mqfleet_v1_ConnectDeclaration__Output,
} from '../../mqfleet/v1/ConnectDeclaration';

export interface OpenSessionRequest {
  clientName?: string;
  gatewayId?: string;
  connectionId?: string;
  ipAddress?: string;
  port?: number;
  username?: string;
  declared?: _mqfleet_v1_ConnectDeclaration | null;
  password?: Buffer | Uint8Array | string;
  answered?: boolean;
  _password?: 'password';
}

export interface OpenSessionRequest__Output {
  clientName: string;
  gatewayId: string;
  connectionId: string;
  ipAddress: string;
  port: number;
  username: string;
  declared: _mqfleet_v1_ConnectDeclaration__Output | null;
  password?: string;
  answered: boolean;
  _password?: 'password';
}
