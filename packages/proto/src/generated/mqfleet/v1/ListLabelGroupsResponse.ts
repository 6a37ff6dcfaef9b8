// Original file: proto/mqfleet/v1/labels.proto

export interface ListLabelGroupsResponse {
  groups?: string[];
}

export interface ListLabelGroupsResponse__Output {
  groups: string[];
}
