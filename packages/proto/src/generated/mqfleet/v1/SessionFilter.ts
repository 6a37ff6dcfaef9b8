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
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
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
  _labelGroup?: 'labelGroup';
  _labelName?: 'labelName';
}
