// Original file: proto/mqfleet/v1/accounts.proto

export interface CreateAccountRequest {
  username?: string;
  password?: string;
  role?: string;
}

export interface CreateAccountRequest__Output {
  username: string;
  password: string;
  role: string;
}
