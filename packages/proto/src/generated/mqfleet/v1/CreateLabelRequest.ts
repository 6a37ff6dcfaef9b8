// Original file: proto/mqfleet/v1/labels.proto

import type {
  LabelValues as _mqfleet_v1_LabelValues,
  LabelValues__Output as _mqfleet_v1_LabelValues__Output,
} from '../../mqfleet/v1/LabelValues';

export interface CreateLabelRequest {
  group?: string;
  name?: string;
  values?: _mqfleet_v1_LabelValues | null;
}

export interface CreateLabelRequest__Output {
  group: string;
  name: string;
  values: _mqfleet_v1_LabelValues__Output | null;
}
