// Original file: proto/mqfleet/v1/session.proto

export interface BatchFailure {
  status?: number;
  errorCode?: string;
  errorMessage?: string;
}

export interface BatchFailure__Output {
  status: number;
  errorCode: string;
  errorMessage: string;
}
