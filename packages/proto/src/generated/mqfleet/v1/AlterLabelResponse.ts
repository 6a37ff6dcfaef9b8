// Original file: proto/mqfleet/v1/labels.proto

import type {
  Label as _mqfleet_v1_Label,
  Label__Output as _mqfleet_v1_Label__Output,
} from '../../mqfleet/v1/Label';

export interface AlterLabelResponse {
  label?: _mqfleet_v1_Label | null;
  changedFields?: string[];
}

export interface AlterLabelResponse__Output {
  label: _mqfleet_v1_Label__Output | null;
  changedFields: string[];
}
