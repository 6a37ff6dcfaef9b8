// Original file: proto/mqfleet/v1/labels.proto

import type {
  LabelChange as _mqfleet_v1_LabelChange,
  LabelChange__Output as _mqfleet_v1_LabelChange__Output,
} from '../../mqfleet/v1/LabelChange';

export interface ChangeLabelsRequest {
  changes?: _mqfleet_v1_LabelChange[];
}

export interface ChangeLabelsRequest__Output {
  changes: _mqfleet_v1_LabelChange__Output[];
}
