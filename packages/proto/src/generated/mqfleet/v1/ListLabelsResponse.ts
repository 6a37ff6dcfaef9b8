// Original file: proto/mqfleet/v1/labels.proto

import type {
  Label as _mqfleet_v1_Label,
  Label__Output as _mqfleet_v1_Label__Output,
} from '../../mqfleet/v1/Label';

export interface ListLabelsResponse {
  labels?: _mqfleet_v1_Label[];
}

export interface ListLabelsResponse__Output {
  labels: _mqfleet_v1_Label__Output[];
}
