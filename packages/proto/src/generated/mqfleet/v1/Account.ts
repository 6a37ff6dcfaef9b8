// Original file: proto/mqfleet/v1/accounts.proto

export interface Account {
  username?: string;
  role?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface Account__Output {
  username: string;
  role: string;
  createdAt: string;
  updatedAt: string;
}
