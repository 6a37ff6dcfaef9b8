// Original file: proto/mqfleet/v1/session.proto

export interface ListSessionNamesResponse {
  clientNames?: string[];
  next?: string;
  anonymousAllowed?: boolean;
}

export interface ListSessionNamesResponse__Output {
  clientNames: string[];
  next: string;
  anonymousAllowed: boolean;
}
