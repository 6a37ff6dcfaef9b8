// Original file: proto/mqfleet/v1/accounts.proto

export interface DeleteAccountResponse {
  username?: string;
  tokensRevoked?: number;
}

export interface DeleteAccountResponse__Output {
  username: string;
  tokensRevoked: number;
}
