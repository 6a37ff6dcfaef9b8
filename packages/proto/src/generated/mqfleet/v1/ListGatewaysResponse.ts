// Original file: proto/mqfleet/v1/session.proto

import type {
  GatewayInfo as _mqfleet_v1_GatewayInfo,
  GatewayInfo__Output as _mqfleet_v1_GatewayInfo__Output,
} from '../../mqfleet/v1/GatewayInfo';

export interface ListGatewaysResponse {
  gateways?: _mqfleet_v1_GatewayInfo[];
}

export interface ListGatewaysResponse__Output {
  gateways: _mqfleet_v1_GatewayInfo__Output[];
}
