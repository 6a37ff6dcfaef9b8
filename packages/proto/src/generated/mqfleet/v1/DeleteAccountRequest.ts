// Original file: proto/mqfleet/v1/accounts.proto

export interface DeleteAccountRequest {
  username?: string;
}

export interface DeleteAccountRequest__Output {
  username: string;
}
