// Original file: proto/mqfleet/v1/labels.proto

export interface ListLabelGroupsRequest {
  partialGroupFilter?: string;
  _partialGroupFilter?: 'partialGroupFilter';
}

export interface ListLabelGroupsRequest__Output {
  partialGroupFilter?: string;
  _partialGroupFilter?: 'partialGroupFilter';
}
