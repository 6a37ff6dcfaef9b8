// Original file: proto/mqfleet/v1/session.proto

import type {
  Subscription as _mqfleet_v1_Subscription,
  Subscription__Output as _mqfleet_v1_Subscription__Output,
} from '../../mqfleet/v1/Subscription';

export interface ChangeSubscriptionsRequest {
  clientName?: string;
  add?: _mqfleet_v1_Subscription[];
  remove?: string[];
  connectionId?: string;
}

export interface ChangeSubscriptionsRequest__Output {
  clientName: string;
  add: _mqfleet_v1_Subscription__Output[];
  remove: string[];
  connectionId: string;
}
