// Original file: proto/mqfleet/v1/auth.proto

export interface CreateTokenResponse {
  token?: string;
  username?: string;
  role?: string;
  idleTimeoutSeconds?: number;
  createdAt?: string;
}

export interface CreateTokenResponse__Output {
  token: string;
  username: string;
  role: string;
  idleTimeoutSeconds: number;
  createdAt: string;
}
