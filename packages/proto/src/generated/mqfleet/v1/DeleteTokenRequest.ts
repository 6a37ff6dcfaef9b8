// Original file: proto/mqfleet/v1/auth.proto

export interface DeleteTokenRequest {}

export interface DeleteTokenRequest__Output {}
