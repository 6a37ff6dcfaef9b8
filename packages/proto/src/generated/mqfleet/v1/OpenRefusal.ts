// Original file: proto/mqfleet/v1/session.proto

export const OpenRefusal = {
  OPEN_REFUSAL_NONE: 'OPEN_REFUSAL_NONE',
  OPEN_REFUSAL_BANNED: 'OPEN_REFUSAL_BANNED',
  OPEN_REFUSAL_BAD_CREDENTIALS: 'OPEN_REFUSAL_BAD_CREDENTIALS',
  OPEN_REFUSAL_NOT_AUTHORIZED: 'OPEN_REFUSAL_NOT_AUTHORIZED',
  OPEN_REFUSAL_MQ_API_SESSION: 'OPEN_REFUSAL_MQ_API_SESSION',
} as const;

export type OpenRefusal =
  | 'OPEN_REFUSAL_NONE'
  | 0
  | 'OPEN_REFUSAL_BANNED'
  | 1
  | 'OPEN_REFUSAL_BAD_CREDENTIALS'
  | 2
  | 'OPEN_REFUSAL_NOT_AUTHORIZED'
  | 3
  | 'OPEN_REFUSAL_MQ_API_SESSION'
  | 4;

export type OpenRefusal__Output = (typeof OpenRefusal)[keyof typeof OpenRefusal];
