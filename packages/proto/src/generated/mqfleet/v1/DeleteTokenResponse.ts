// Original file: proto/mqfleet/v1/auth.proto

export interface DeleteTokenResponse {
  found?: boolean;
}

export interface DeleteTokenResponse__Output {
  found: boolean;
}
