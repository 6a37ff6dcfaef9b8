// Original file: proto/mqfleet/v1/auth.proto

export interface CreateTokenRequest {
  username?: string;
  password?: string;
  idleTimeoutSeconds?: number;
  description?: string;
  _idleTimeoutSeconds?: 'idleTimeoutSeconds';
}

export interface CreateTokenRequest__Output {
  username: string;
  password: string;
  idleTimeoutSeconds?: number;
  description: string;
  _idleTimeoutSeconds?: 'idleTimeoutSeconds';
}
