// Original file: proto/mqfleet/v1/session.proto

export interface UserProperty {
  key?: string;
  value?: string;
}

export interface UserProperty__Output {
  key: string;
  value: string;
}
