// Original file: proto/mqfleet/v1/session.proto

export interface ListGatewaysRequest {}

export interface ListGatewaysRequest__Output {}
