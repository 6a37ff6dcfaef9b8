// Original file: proto/mqfleet/v1/session.proto

export const OpenRefusal = {
  OPEN_REFUSAL_NONE: 'OPEN_REFUSAL_NONE',
  OPEN_REFUSAL_BANNED: 'OPEN_REFUSAL_BANNED',
} as const;

export type OpenRefusal = 'OPEN_REFUSAL_NONE' | 0 | 'OPEN_REFUSAL_BANNED' | 1;

export type OpenRefusal__Output = (typeof OpenRefusal)[keyof typeof OpenRefusal];
