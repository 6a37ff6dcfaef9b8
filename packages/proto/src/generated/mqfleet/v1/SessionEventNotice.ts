// Original file: proto/mqfleet/v1/session.proto

import type {
  ConnectionStatus as _mqfleet_v1_ConnectionStatus,
  ConnectionStatus__Output as _mqfleet_v1_ConnectionStatus__Output,
} from '../../mqfleet/v1/ConnectionStatus';
import type {
  SessionStatus as _mqfleet_v1_SessionStatus,
  SessionStatus__Output as _mqfleet_v1_SessionStatus__Output,
} from '../../mqfleet/v1/SessionStatus';

export interface SessionEventNotice {
  type?: string;
  clientName?: string;
  version?: string;
  at?: string;
  actor?: string;
  connectionStatus?: _mqfleet_v1_ConnectionStatus;
  sessionStatus?: _mqfleet_v1_SessionStatus;
  health?: string;
  changedFields?: string[];
  clientNames?: string[];
  _connectionStatus?: 'connectionStatus';
  _sessionStatus?: 'sessionStatus';
  _health?: 'health';
}

export interface SessionEventNotice__Output {
  type: string;
  clientName: string;
  version: string;
  at: string;
  actor: string;
  connectionStatus?: _mqfleet_v1_ConnectionStatus__Output;
  sessionStatus?: _mqfleet_v1_SessionStatus__Output;
  health?: string;
  changedFields: string[];
  clientNames: string[];
  _connectionStatus?: 'connectionStatus';
  _sessionStatus?: 'sessionStatus';
  _health?: 'health';
}
