// Original file: proto/mqfleet/v1/session.proto

export interface Subscription {
  topicFilter?: string;
  qos?: number;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: number;
  subscriptionIdentifier?: number;
}

export interface Subscription__Output {
  topicFilter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionIdentifier: number;
}
