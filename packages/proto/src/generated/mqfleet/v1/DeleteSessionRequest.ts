// Original file: proto/mqfleet/v1/session.proto

export interface DeleteSessionRequest {
  clientName?: string;
  permanently?: boolean;
}

export interface DeleteSessionRequest__Output {
  clientName: string;
  permanently: boolean;
}
