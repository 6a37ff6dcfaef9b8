// Original file: proto/mqfleet/v1/session.proto

import type {
  UserProperty as _mqfleet_v1_UserProperty,
  UserProperty__Output as _mqfleet_v1_UserProperty__Output,
} from '../../mqfleet/v1/UserProperty';

export interface ConnectDeclaration {
  mqttProtocol?: string;
  cleanStart?: boolean;
  keepAliveSeconds?: number;
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestProblemInformation?: boolean;
  requestResponseInformation?: boolean;
  hasWill?: boolean;
  willTopic?: string;
  willPayload?: Buffer | Uint8Array | string;
  willQos?: number;
  willRetain?: boolean;
  willContentType?: string;
  willCorrelationData?: Buffer | Uint8Array | string;
  willPayloadUtf8?: boolean;
  willExpirySeconds?: number;
  hasWillExpiry?: boolean;
  willDelaySeconds?: number;
  willResponseTopic?: string;
  willUserProperties?: _mqfleet_v1_UserProperty[];
}

export interface ConnectDeclaration__Output {
  mqttProtocol: string;
  cleanStart: boolean;
  keepAliveSeconds: number;
  sessionExpiryInterval: number;
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
  requestProblemInformation: boolean;
  requestResponseInformation: boolean;
  hasWill: boolean;
  willTopic: string;
  willPayload: string;
  willQos: number;
  willRetain: boolean;
  willContentType: string;
  willCorrelationData: string;
  willPayloadUtf8: boolean;
  willExpirySeconds: number;
  hasWillExpiry: boolean;
  willDelaySeconds: number;
  willResponseTopic: string;
  willUserProperties: _mqfleet_v1_UserProperty__Output[];
}
