// Original file: proto/mqfleet/v1/session.proto

export interface GetTopicMessagesRequest {
  topic?: string;
  startFrom?: string;
  maxMessages?: number;
}

export interface GetTopicMessagesRequest__Output {
  topic: string;
  startFrom: string;
  maxMessages: number;
}
