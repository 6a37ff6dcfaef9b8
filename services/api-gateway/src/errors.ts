// The one place where failures become JSON API errors: core MqfleetError, gRPC statuses (with the
// mqfleet-error-code trailer the session-service sets) and anything unexpected.
import * as grpc from '@grpc/grpc-js';
import {
  ERROR_CODE_METADATA_KEY,
  ERROR_PROPERTY_METADATA_KEY,
  ERROR_KINDS,
  isErrorCode,
  MqfleetError,
  type ErrorCode,
} from '@mqfleet/core';

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

/** gRPC status → error code, for statuses that carry no mqfleet-error-code trailer. */
const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [grpc.status.UNAVAILABLE]: 'UNAVAILABLE',
  [grpc.status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [grpc.status.UNAUTHENTICATED]: 'BAD_TOKEN',
  [grpc.status.PERMISSION_DENIED]: 'ADMIN_REQUIRED',
  [grpc.status.NOT_FOUND]: 'NOT_FOUND',
  [grpc.status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [grpc.status.INVALID_ARGUMENT]: 'INVALID_VALUE',
  [grpc.status.FAILED_PRECONDITION]: 'VERSION_CONFLICT',
};

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

function fromServiceError(err: grpc.ServiceError): ApiFailure {
  // Transport conditions win over whatever the trailer says.
  if (err.code === grpc.status.UNAVAILABLE) return fromCode('UNAVAILABLE', '');
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return fromCode('TIMEOUT', '');
  const trailer = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  const name = typeof trailer === 'string' ? trailer : trailer?.toString('utf8');
  const property = err.metadata?.get(ERROR_PROPERTY_METADATA_KEY)[0];
  if (isErrorCode(name))
    return fromCode(name, err.details, typeof property === 'string' ? property : undefined);
  const byStatus = BY_STATUS[err.code];
  if (byStatus) return fromCode(byStatus, err.details);
  return { ...fromCode('INTERNAL', ''), unexpected: true };
}

/** Maps any thrown value to the JSON API errorCode and errorMessage. */
export function toFailure(err: unknown): ApiFailure {
  if (err instanceof MqfleetError) {
    const failure: ApiFailure = { errorCode: err.jsonCode, errorMessage: clampMessage(err.message) };
    if (err.property !== undefined) failure.property = err.property;
    if (err.code === 'INTERNAL') failure.unexpected = true;
    return failure;
  }
  if (isServiceError(err)) return fromServiceError(err);
  return { ...fromCode('INTERNAL', ''), unexpected: true };
}
