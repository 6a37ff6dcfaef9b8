// Original file: proto/mqfleet/v1/session.proto

export const SessionStatus = {
  SESSION_STATUS_UNSPECIFIED: 'SESSION_STATUS_UNSPECIFIED',
  SESSION_STATUS_NORMAL: 'SESSION_STATUS_NORMAL',
  SESSION_STATUS_HIDDEN: 'SESSION_STATUS_HIDDEN',
  SESSION_STATUS_BANNED: 'SESSION_STATUS_BANNED',
  SESSION_STATUS_INACTIVE: 'SESSION_STATUS_INACTIVE',
} as const;

export type SessionStatus =
  | 'SESSION_STATUS_UNSPECIFIED'
  | 0
  | 'SESSION_STATUS_NORMAL'
  | 1
  | 'SESSION_STATUS_HIDDEN'
  | 2
  | 'SESSION_STATUS_BANNED'
  | 3
  | 'SESSION_STATUS_INACTIVE'
  | 4;

export type SessionStatus__Output = (typeof SessionStatus)[keyof typeof SessionStatus];
