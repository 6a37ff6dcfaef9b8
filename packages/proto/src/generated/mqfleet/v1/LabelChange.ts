// Original file: proto/mqfleet/v1/labels.proto

import type {
  LabelKey as _mqfleet_v1_LabelKey,
  LabelKey__Output as _mqfleet_v1_LabelKey__Output,
} from '../../mqfleet/v1/LabelKey';
import type {
  LabelValues as _mqfleet_v1_LabelValues,
  LabelValues__Output as _mqfleet_v1_LabelValues__Output,
} from '../../mqfleet/v1/LabelValues';

export interface LabelChange {
  key?: _mqfleet_v1_LabelKey | null;
  newGroup?: string;
  newName?: string;
  values?: _mqfleet_v1_LabelValues | null;
  delete?: boolean;
  _newGroup?: 'newGroup';
  _newName?: 'newName';
}

export interface LabelChange__Output {
  key: _mqfleet_v1_LabelKey__Output | null;
  newGroup?: string;
  newName?: string;
  values: _mqfleet_v1_LabelValues__Output | null;
  delete: boolean;
  _newGroup?: 'newGroup';
  _newName?: 'newName';
}
