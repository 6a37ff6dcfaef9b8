// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionStatus as _mqfleet_v1_SessionStatus,
  SessionStatus__Output as _mqfleet_v1_SessionStatus__Output,
} from '../../mqfleet/v1/SessionStatus';
import type {
  UserPropertyList as _mqfleet_v1_UserPropertyList,
  UserPropertyList__Output as _mqfleet_v1_UserPropertyList__Output,
} from '../../mqfleet/v1/UserPropertyList';

export interface SessionPatch {
  temporarySession?: boolean;
  sessionStatus?: _mqfleet_v1_SessionStatus;
  keepAliveSeconds?: number;
  userProperties?: _mqfleet_v1_UserPropertyList | null;
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
  willUserProperties?: _mqfleet_v1_UserPropertyList | null;
  labelGroup?: string;
  labelName?: string;
  labelId?: number;
  minHealthySendRatePerMinute?: number | string;
  maxHealthySendRatePerMinute?: number | string;
  maxHealthyBacklogRatePerMinute?: number | string;
  minHealthySubscribedTopicFiltersCount?: number;
  maxHealthySubscribedTopicFiltersCount?: number;
  metadataJson?: string;
  _temporarySession?: 'temporarySession';
  _sessionStatus?: 'sessionStatus';
  _keepAliveSeconds?: 'keepAliveSeconds';
  _userProperties?: 'userProperties';
  _sessionExpiryInterval?: 'sessionExpiryInterval';
  _receiveMaximum?: 'receiveMaximum';
  _maximumPacketSize?: 'maximumPacketSize';
  _topicAliasMaximum?: 'topicAliasMaximum';
  _requestProblemInformation?: 'requestProblemInformation';
  _requestResponseInformation?: 'requestResponseInformation';
  _willTopic?: 'willTopic';
  _willPayload?: 'willPayload';
  _willQos?: 'willQos';
  _willRetain?: 'willRetain';
  _willContentType?: 'willContentType';
  _willCorrelationData?: 'willCorrelationData';
  _willPayloadUtf8?: 'willPayloadUtf8';
  _willExpirySeconds?: 'willExpirySeconds';
  _willDelaySeconds?: 'willDelaySeconds';
  _willResponseTopic?: 'willResponseTopic';
  _willUserProperties?: 'willUserProperties';
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
  _labelId?: 'labelId';
  _minHealthySendRatePerMinute?: 'minHealthySendRatePerMinute';
  _maxHealthySendRatePerMinute?: 'maxHealthySendRatePerMinute';
  _maxHealthyBacklogRatePerMinute?: 'maxHealthyBacklogRatePerMinute';
  _minHealthySubscribedTopicFiltersCount?: 'minHealthySubscribedTopicFiltersCount';
  _maxHealthySubscribedTopicFiltersCount?: 'maxHealthySubscribedTopicFiltersCount';
  _metadataJson?: 'metadataJson';
}

export interface SessionPatch__Output {
  temporarySession?: boolean;
  sessionStatus?: _mqfleet_v1_SessionStatus__Output;
  keepAliveSeconds?: number;
  userProperties?: _mqfleet_v1_UserPropertyList__Output | null;
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestProblemInformation?: boolean;
  requestResponseInformation?: boolean;
  willTopic?: string;
  willPayload?: string;
  willQos?: number;
  willRetain?: boolean;
  willContentType?: string;
  willCorrelationData?: string;
  willPayloadUtf8?: boolean;
  willExpirySeconds?: number;
  willDelaySeconds?: number;
  willResponseTopic?: string;
  willUserProperties?: _mqfleet_v1_UserPropertyList__Output | null;
  labelGroup?: string;
  labelName?: string;
  labelId?: number;
  minHealthySendRatePerMinute?: number;
  maxHealthySendRatePerMinute?: number;
  maxHealthyBacklogRatePerMinute?: number;
  minHealthySubscribedTopicFiltersCount?: number;
  maxHealthySubscribedTopicFiltersCount?: number;
  metadataJson?: string;
  _temporarySession?: 'temporarySession';
  _sessionStatus?: 'sessionStatus';
  _keepAliveSeconds?: 'keepAliveSeconds';
  _userProperties?: 'userProperties';
  _sessionExpiryInterval?: 'sessionExpiryInterval';
  _receiveMaximum?: 'receiveMaximum';
  _maximumPacketSize?: 'maximumPacketSize';
  _topicAliasMaximum?: 'topicAliasMaximum';
  _requestProblemInformation?: 'requestProblemInformation';
  _requestResponseInformation?: 'requestResponseInformation';
  _willTopic?: 'willTopic';
  _willPayload?: 'willPayload';
  _willQos?: 'willQos';
  _willRetain?: 'willRetain';
  _willContentType?: 'willContentType';
  _willCorrelationData?: 'willCorrelationData';
  _willPayloadUtf8?: 'willPayloadUtf8';
  _willExpirySeconds?: 'willExpirySeconds';
  _willDelaySeconds?: 'willDelaySeconds';
  _willResponseTopic?: 'willResponseTopic';
  _willUserProperties?: 'willUserProperties';
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
  _labelId?: 'labelId';
  _minHealthySendRatePerMinute?: 'minHealthySendRatePerMinute';
  _maxHealthySendRatePerMinute?: 'maxHealthySendRatePerMinute';
  _maxHealthyBacklogRatePerMinute?: 'maxHealthyBacklogRatePerMinute';
  _minHealthySubscribedTopicFiltersCount?: 'minHealthySubscribedTopicFiltersCount';
  _maxHealthySubscribedTopicFiltersCount?: 'maxHealthySubscribedTopicFiltersCount';
  _metadataJson?: 'metadataJson';
}
