// Original file: proto/mqfleet/v1/session.proto

export interface GetMessagesRequest {
  clientName?: string;
  maxMessages?: number;
  topic?: string;
}

export interface GetMessagesRequest__Output {
  clientName: string;
  maxMessages: number;
  topic: string;
}
