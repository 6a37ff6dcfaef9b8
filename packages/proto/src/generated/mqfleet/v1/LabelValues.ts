// Original file: proto/mqfleet/v1/labels.proto

export interface LabelValues {
  valueJson?: string;
  enumValue?: number;
  sequence?: number | string;
  clearSequence?: boolean;
  deprecated?: boolean;
  description?: string;
  metadataJson?: string;
  _valueJson?: 'valueJson';
  _enumValue?: 'enumValue';
  _sequence?: 'sequence';
  _deprecated?: 'deprecated';
  _description?: 'description';
  _metadataJson?: 'metadataJson';
}

export interface LabelValues__Output {
  valueJson?: string;
  enumValue?: number;
  sequence?: number;
  clearSequence: boolean;
  deprecated?: boolean;
  description?: string;
  metadataJson?: string;
  _valueJson?: 'valueJson';
  _enumValue?: 'enumValue';
  _sequence?: 'sequence';
  _deprecated?: 'deprecated';
  _description?: 'description';
  _metadataJson?: 'metadataJson';
}
