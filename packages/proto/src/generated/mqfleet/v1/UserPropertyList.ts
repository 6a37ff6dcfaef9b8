// Original file: proto/mqfleet/v1/session.proto

import type {
  UserProperty as _mqfleet_v1_UserProperty,
  UserProperty__Output as _mqfleet_v1_UserProperty__Output,
} from '../../mqfleet/v1/UserProperty';

export interface UserPropertyList {
  items?: _mqfleet_v1_UserProperty[];
}

export interface UserPropertyList__Output {
  items: _mqfleet_v1_UserProperty__Output[];
}
