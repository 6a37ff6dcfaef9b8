// Original file: proto/mqfleet/v1/labels.proto

import type {
  Label as _mqfleet_v1_Label,
  Label__Output as _mqfleet_v1_Label__Output,
} from '../../mqfleet/v1/Label';

export interface ChangeLabelsResponse {
  originals?: _mqfleet_v1_Label[];
}

export interface ChangeLabelsResponse__Output {
  originals: _mqfleet_v1_Label__Output[];
}
