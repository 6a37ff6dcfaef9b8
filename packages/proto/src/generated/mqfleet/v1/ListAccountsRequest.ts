// Original file: proto/mqfleet/v1/accounts.proto

export interface ListAccountsRequest {
  partialUsername?: string;
}

export interface ListAccountsRequest__Output {
  partialUsername: string;
}
