// Original file: proto/mqfleet/v1/auth.proto

export interface WhoAmIResponse {
  username?: string;
  role?: string;
}

export interface WhoAmIResponse__Output {
  username: string;
  role: string;
}
