// Original file: proto/mqfleet/v1/session.proto

export interface SessionFilter {
  partialClientName?: string;
  connectionStatusFilter?: string[];
  sessionStatusFilter?: string[];
  sessionTypeFilter?: string[];
  labelGroup?: string;
  labelName?: string;
  healthFilter?: string[];
  unsetHealthMeasures?: boolean;
  labelId?: number;
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
  _labelId?: 'labelId';
}

export interface SessionFilter__Output {
  partialClientName: string;
  connectionStatusFilter: string[];
  sessionStatusFilter: string[];
  sessionTypeFilter: string[];
  labelGroup?: string;
  labelName?: string;
  healthFilter: string[];
  unsetHealthMeasures: boolean;
  labelId?: number;
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
  _labelId?: 'labelId';
}
