// The one place where failures become JSON API errors: core MqfleetError, the session-service's
// failures as the transport decodes them (CallError, packages/client/src/transport.ts: its
// mqfleet-error-code trailer or the gRPC status) and anything unexpected.
import type * as grpc from '@grpc/grpc-js';
import { ERROR_KINDS, MqfleetError, type ErrorCode } from '@mqfleet/core';
import { CallError, decodeError } from '@mqfleet/client';

export interface ApiFailure {
  errorCode: number;
  errorMessage: string;
  /** The request property the error is about, when known (goes to debugInfo.errorData). */
  property?: string;
  /** True when the failure was not expected and should be logged as an error. */
  unexpected?: boolean;
}

/** The documented text of 12031 (docs/json-api.md). */
export const BAD_TOKEN_MESSAGE =
  "'authToken' does not match any existing session. Use a valid 'authToken' or use 'createSession' to create a valid 'authToken'.";

const MAX_MESSAGE_BYTES = 256;

const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_TOKEN: BAD_TOKEN_MESSAGE,
  UNAVAILABLE: 'the session service is unavailable; try again later',
  TIMEOUT: 'the session service did not answer in time; try again later',
  INTERNAL: 'internal error; the server log has the details',
};

/** Error codes whose details come from the service and may be shown to the caller. */
const USER_FACING = new Set<ErrorCode>([
  'MISSING_PROPERTY',
  'INVALID_VALUE',
  'TOO_LARGE',
  'VERSION_CONFLICT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'BAD_PASSWORD',
  'ADMIN_REQUIRED',
]);

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return (
    err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'details' in err
  );
}

/** Cuts a message to at most 256 bytes of UTF-8 (the documented errorMessage limit). */
export function clampMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_MESSAGE_BYTES) return message;
  let out = '';
  for (const ch of message) {
    if (Buffer.byteLength(`${out}${ch}...`, 'utf8') > MAX_MESSAGE_BYTES) break;
    out += ch;
  }
  return `${out}...`;
}

function fromCode(code: ErrorCode, details: string, property?: string): ApiFailure {
  const message = USER_FACING.has(code) && details ? details : (GENERIC_MESSAGES[code] ?? details);
  const failure: ApiFailure = { errorCode: ERROR_KINDS[code].jsonCode, errorMessage: clampMessage(message) };
  if (property !== undefined) failure.property = property;
  if (code === 'INTERNAL') failure.unexpected = true;
  return failure;
}

/**
 * A failure of the session-service: the service's message where the caller may see it (USER_FACING),
 * the documented text of its code otherwise (GENERIC_MESSAGES).
 */
function fromCall(err: CallError): ApiFailure {
  return fromCode(err.code, err.message, err.property);
}

/** Maps any thrown value to the JSON API errorCode and errorMessage. */
export function toFailure(err: unknown): ApiFailure {
  if (err instanceof CallError) return fromCall(err);
  if (err instanceof MqfleetError) {
    const failure: ApiFailure = { errorCode: err.jsonCode, errorMessage: clampMessage(err.message) };
    if (err.property !== undefined) failure.property = err.property;
    if (err.code === 'INTERNAL') failure.unexpected = true;
    return failure;
  }
  if (isServiceError(err)) return fromCall(decodeError(err));
  return { ...fromCode('INTERNAL', ''), unexpected: true };
}
