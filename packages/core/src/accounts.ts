// Account rules shared by the session-service (which enforces them) and the api-gateway (which
// checks JSON parameters with the same limits before calling it).
import { invalidValue, missingProperty, tooLarge } from './errors';

export const ACCOUNT_ROLES = ['admin', 'user'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** The built-in administrator: it always exists and can be neither deleted nor demoted. */
export const ADMIN_USERNAME = 'ADMIN';
export const ACCOUNT_NAME_MAX_BYTES = 64;
export const ACCOUNT_PASSWORD_MAX_BYTES = 256;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A user name of 1-64 bytes without control characters; returns it unchanged. */
export function parseAccountName(value: string, property = 'username'): string {
  if (value === '') throw missingProperty(property);
  if (Buffer.byteLength(value, 'utf8') > ACCOUNT_NAME_MAX_BYTES) {
    throw tooLarge(property, `${ACCOUNT_NAME_MAX_BYTES} bytes`);
  }
  if (CONTROL_CHARACTERS.test(value)) throw invalidValue(property, 'a name without control characters');
  return value;
}

/** The case-insensitive key of a user name. */
export const accountKey = (username: string): string => username.toLowerCase();

/** A password of 1-256 bytes. */
export function parsePassword(value: string, property = 'password'): string {
  if (value === '') throw invalidValue(property, 'from 1 to 256 bytes long');
  if (Buffer.byteLength(value, 'utf8') > ACCOUNT_PASSWORD_MAX_BYTES) {
    throw tooLarge(property, `${ACCOUNT_PASSWORD_MAX_BYTES} bytes`);
  }
  return value;
}

export function parseRole(value: unknown, property = 'role'): AccountRole {
  if (typeof value === 'string' && (ACCOUNT_ROLES as readonly string[]).includes(value)) {
    return value as AccountRole;
  }
  throw invalidValue(property, '"admin" or "user"', value);
}
