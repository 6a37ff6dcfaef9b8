// Original file: proto/mqfleet/v1/session.proto

export interface KeptWill {
  clientName?: string;
  connectionId?: string;
  dueInMs?: number;
}

export interface KeptWill__Output {
  clientName: string;
  connectionId: string;
  dueInMs: number;
}
