// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionStatus as _mqfleet_v1_SessionStatus,
  SessionStatus__Output as _mqfleet_v1_SessionStatus__Output,
} from '../../mqfleet/v1/SessionStatus';
import type {
  UserProperty as _mqfleet_v1_UserProperty,
  UserProperty__Output as _mqfleet_v1_UserProperty__Output,
} from '../../mqfleet/v1/UserProperty';

export interface SessionSettings {
  temporarySession?: boolean;
  sessionStatus?: _mqfleet_v1_SessionStatus;
  keepAliveSeconds?: number;
  userProperties?: _mqfleet_v1_UserProperty[];
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestProblemInformation?: boolean;
  requestResponseInformation?: boolean;
  willTopic?: string;
  willPayload?: Buffer | Uint8Array | string;
  willQos?: number;
  willRetain?: boolean;
  willContentType?: string;
  willCorrelationData?: Buffer | Uint8Array | string;
  willPayloadUtf8?: boolean;
  willExpirySeconds?: number;
  willDelaySeconds?: number;
  willResponseTopic?: string;
  willUserProperties?: _mqfleet_v1_UserProperty[];
  labelGroup?: string;
  labelName?: string;
  labelId?: number;
  minHealthySendRatePerMinute?: number | string;
  maxHealthySendRatePerMinute?: number | string;
  maxHealthyBacklogRatePerMinute?: number | string;
  minHealthySubscribedTopicFiltersCount?: number;
  maxHealthySubscribedTopicFiltersCount?: number;
  metadataJson?: string;
}

export interface SessionSettings__Output {
  temporarySession: boolean;
  sessionStatus: _mqfleet_v1_SessionStatus__Output;
  keepAliveSeconds: number;
  userProperties: _mqfleet_v1_UserProperty__Output[];
  sessionExpiryInterval: number;
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
  requestProblemInformation: boolean;
  requestResponseInformation: boolean;
  willTopic: string;
  willPayload: string;
  willQos: number;
  willRetain: boolean;
  willContentType: string;
  willCorrelationData: string;
  willPayloadUtf8: boolean;
  willExpirySeconds: number;
  willDelaySeconds: number;
  willResponseTopic: string;
  willUserProperties: _mqfleet_v1_UserProperty__Output[];
  labelGroup: string;
  labelName: string;
  labelId: number;
  minHealthySendRatePerMinute: number;
  maxHealthySendRatePerMinute: number;
  maxHealthyBacklogRatePerMinute: number;
  minHealthySubscribedTopicFiltersCount: number;
  maxHealthySubscribedTopicFiltersCount: number;
  metadataJson: string;
}
