// Original file: proto/mqfleet/v1/labels.proto

export interface Label {
  id?: number;
  group?: string;
  name?: string;
  valueJson?: string;
  enumValue?: number;
  sequence?: number | string;
  deprecated?: boolean;
  description?: string;
  metadataJson?: string;
  createdAt?: string;
  updatedAt?: string;
  _sequence?: 'sequence';
  _description?: 'description';
  _metadataJson?: 'metadataJson';
}

export interface Label__Output {
  id: number;
  group: string;
  name: string;
  valueJson: string;
  enumValue: number;
  sequence?: number;
  deprecated: boolean;
  description?: string;
  metadataJson?: string;
  createdAt: string;
  updatedAt: string;
  _sequence?: 'sequence';
  _description?: 'description';
  _metadataJson?: 'metadataJson';
}
