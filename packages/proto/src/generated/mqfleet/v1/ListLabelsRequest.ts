// Original file: proto/mqfleet/v1/labels.proto

export interface ListLabelsRequest {
  idFilter?: number[];
  groupFilter?: string[];
  partialGroupFilter?: string;
  nameFilter?: string[];
  partialNameFilter?: string;
  deprecatedFilter?: boolean;
  enumFilter?: number[];
  sequenceFilter?: (number | string)[];
  includeDescription?: boolean;
  includeMetadata?: boolean;
  _partialGroupFilter?: 'partialGroupFilter';
  _partialNameFilter?: 'partialNameFilter';
  _deprecatedFilter?: 'deprecatedFilter';
}

export interface ListLabelsRequest__Output {
  idFilter: number[];
  groupFilter: string[];
  partialGroupFilter?: string;
  nameFilter: string[];
  partialNameFilter?: string;
  deprecatedFilter?: boolean;
  enumFilter: number[];
  sequenceFilter: number[];
  includeDescription: boolean;
  includeMetadata: boolean;
  _partialGroupFilter?: 'partialGroupFilter';
  _partialNameFilter?: 'partialNameFilter';
  _deprecatedFilter?: 'deprecatedFilter';
}
