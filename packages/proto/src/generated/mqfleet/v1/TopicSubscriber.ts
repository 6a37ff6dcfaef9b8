// Original file: proto/mqfleet/v1/topics.proto

export interface TopicSubscriber {
  clientName?: string;
  sessionType?: string;
  connectionStatus?: string;
  ipAddress?: string;
  port?: number;
  mqttProtocol?: string;
  keepAliveSeconds?: number;
  clean?: boolean;
  connectedAt?: string;
  qos?: number;
}

export interface TopicSubscriber__Output {
  clientName: string;
  sessionType: string;
  connectionStatus: string;
  ipAddress: string;
  port: number;
  mqttProtocol: string;
  keepAliveSeconds: number;
  clean: boolean;
  connectedAt: string;
  qos: number;
}
