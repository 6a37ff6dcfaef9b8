// Original file: proto/mqfleet/v1/session.proto

export interface WatchSessionEventsRequest {}

export interface WatchSessionEventsRequest__Output {}
