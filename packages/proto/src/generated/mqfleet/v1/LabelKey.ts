// Original file: proto/mqfleet/v1/labels.proto

export interface LabelKey {
  id?: number;
  group?: string;
  name?: string;
  _id?: 'id';
  _group?: 'group';
  _name?: 'name';
}

export interface LabelKey__Output {
  id?: number;
  group?: string;
  name?: string;
  _id?: 'id';
  _group?: 'group';
  _name?: 'name';
}
