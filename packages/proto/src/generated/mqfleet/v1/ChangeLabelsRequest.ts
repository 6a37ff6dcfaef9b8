// Original file: proto/mqfleet/v1/labels.proto

import type {
  LabelChange as _mqfleet_v1_LabelChange,
  LabelChange__Output as _mqfleet_v1_LabelChange__Output,
} from '../../mqfleet/v1/LabelChange';
import type {
  ListLabelsRequest as _mqfleet_v1_ListLabelsRequest,
  ListLabelsRequest__Output as _mqfleet_v1_ListLabelsRequest__Output,
} from '../../mqfleet/v1/ListLabelsRequest';
import type {
  LabelValues as _mqfleet_v1_LabelValues,
  LabelValues__Output as _mqfleet_v1_LabelValues__Output,
} from '../../mqfleet/v1/LabelValues';

export interface ChangeLabelsRequest {
  changes?: _mqfleet_v1_LabelChange[];
  byFilter?: boolean;
  filter?: _mqfleet_v1_ListLabelsRequest | null;
  newGroup?: string;
  newName?: string;
  newValues?: _mqfleet_v1_LabelValues | null;
  delete?: boolean;
  _newGroup?: 'newGroup';
  _newName?: 'newName';
}

export interface ChangeLabelsRequest__Output {
  changes: _mqfleet_v1_LabelChange__Output[];
  byFilter: boolean;
  filter: _mqfleet_v1_ListLabelsRequest__Output | null;
  newGroup?: string;
  newName?: string;
  newValues: _mqfleet_v1_LabelValues__Output | null;
  delete: boolean;
  _newGroup?: 'newGroup';
  _newName?: 'newName';
}
