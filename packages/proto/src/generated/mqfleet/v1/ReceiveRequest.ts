// Original file: proto/mqfleet/v1/session.proto

export interface ReceiveRequest {
  clientName?: string;
  topic?: string;
}

export interface ReceiveRequest__Output {
  clientName: string;
  topic: string;
}
