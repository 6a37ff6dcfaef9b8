// Original file: proto/mqfleet/v1/auth.proto

export interface TokenInfo {
  id?: string;
  username?: string;
  description?: string;
  idleTimeoutSeconds?: number;
  createdAt?: string;
  lastUsedAt?: string;
  current?: boolean;
}

export interface TokenInfo__Output {
  id: string;
  username: string;
  description: string;
  idleTimeoutSeconds: number;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}
