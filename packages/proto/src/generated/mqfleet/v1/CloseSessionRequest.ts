// Original file: proto/mqfleet/v1/session.proto

export interface CloseSessionRequest {
  clientName?: string;
  connectionId?: string;
  clean?: boolean;
  reason?: string;
  sessionExpiryInterval?: number;
  drainWillGraceMs?: number;
  _sessionExpiryInterval?: 'sessionExpiryInterval';
  _drainWillGraceMs?: 'drainWillGraceMs';
}

export interface CloseSessionRequest__Output {
  clientName: string;
  connectionId: string;
  clean: boolean;
  reason: string;
  sessionExpiryInterval?: number;
  drainWillGraceMs?: number;
  _sessionExpiryInterval?: 'sessionExpiryInterval';
  _drainWillGraceMs?: 'drainWillGraceMs';
}
