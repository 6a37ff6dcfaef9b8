// The one catalogue of mqfleet errors. Every boundary maps these in exactly one place:
// the gRPC status (session-service), the JSON API errorCode (api-gateway).

/** gRPC status numbers (a stable part of the gRPC spec; core does not depend on grpc-js). */
export const GrpcStatus = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

interface ErrorKind {
  /** The JSON API errorCode (docs/errors.md). */
  jsonCode: number;
  grpcStatus: number;
}

export const ERROR_KINDS = {
  MISSING_PROPERTY: { jsonCode: 12025, grpcStatus: GrpcStatus.INVALID_ARGUMENT },
  INVALID_VALUE: { jsonCode: 12012, grpcStatus: GrpcStatus.INVALID_ARGUMENT },
  TOO_LARGE: { jsonCode: 12034, grpcStatus: GrpcStatus.INVALID_ARGUMENT },
  LIMIT_EXCEEDED: { jsonCode: 12015, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED },
  VERSION_CONFLICT: { jsonCode: 12012, grpcStatus: GrpcStatus.FAILED_PRECONDITION },
  NOT_FOUND: { jsonCode: 100, grpcStatus: GrpcStatus.NOT_FOUND },
  ALREADY_EXISTS: { jsonCode: 12020, grpcStatus: GrpcStatus.ALREADY_EXISTS },
  IN_USE: { jsonCode: 12026, grpcStatus: GrpcStatus.FAILED_PRECONDITION },
  BAD_TOKEN: { jsonCode: 12031, grpcStatus: GrpcStatus.UNAUTHENTICATED },
  BAD_PASSWORD: { jsonCode: 12033, grpcStatus: GrpcStatus.UNAUTHENTICATED },
  ADMIN_REQUIRED: { jsonCode: 12030, grpcStatus: GrpcStatus.PERMISSION_DENIED },
  /**
   * An action of (not about) a banned session: it may not publish or read. 12040 is not in
   * FairCom's code table (12001-12036), so it names nothing else (docs/errors.md).
   */
  SESSION_BANNED: { jsonCode: 12040, grpcStatus: GrpcStatus.PERMISSION_DENIED },
  /**
   * The authorization rules of the session's user refuse it (a subscribeToMq filter, an
   * alterMqSession will topic). 12041, like 12040, is outside FairCom's code table (docs/errors.md).
   */
  RULES_REFUSE: { jsonCode: 12041, grpcStatus: GrpcStatus.PERMISSION_DENIED },
  UNKNOWN_ACTION: { jsonCode: 12008, grpcStatus: GrpcStatus.UNIMPLEMENTED },
  UNKNOWN_API: { jsonCode: 12013, grpcStatus: GrpcStatus.UNIMPLEMENTED },
  UNAVAILABLE: { jsonCode: 12019, grpcStatus: GrpcStatus.UNAVAILABLE },
  TIMEOUT: { jsonCode: 12014, grpcStatus: GrpcStatus.DEADLINE_EXCEEDED },
  INTERNAL: { jsonCode: 12009, grpcStatus: GrpcStatus.INTERNAL },
  NOT_JSON: { jsonCode: -1038, grpcStatus: GrpcStatus.INVALID_ARGUMENT },
  NOT_OBJECT: { jsonCode: -1039, grpcStatus: GrpcStatus.INVALID_ARGUMENT },
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_KINDS;

/** Metadata key that carries the ErrorCode across gRPC. */
export const ERROR_CODE_METADATA_KEY = 'mqfleet-error-code';
/** Metadata key that carries the request property an error is about (MqfleetError.property). */
export const ERROR_PROPERTY_METADATA_KEY = 'mqfleet-error-property';

export class MqfleetError extends Error {
  // string, not the literal: a subclass may name itself (services/connection-gateway/src/errors.ts).
  override readonly name: string = 'MqfleetError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request property the error is about, when there is one. */
    readonly property?: string,
  ) {
    super(message);
  }

  get jsonCode(): number {
    return ERROR_KINDS[this.code].jsonCode;
  }

  get grpcStatus(): number {
    return ERROR_KINDS[this.code].grpcStatus;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_KINDS, value);
}

export const missingProperty = (property: string): MqfleetError =>
  new MqfleetError('MISSING_PROPERTY', `"${property}" is required`, property);

export const invalidValue = (property: string, expectation: string, got?: unknown): MqfleetError =>
  new MqfleetError(
    'INVALID_VALUE',
    `"${property}" must be ${expectation}${got === undefined ? '' : `; got ${describeValue(got)}`}`,
    property,
  );

export const tooLarge = (property: string, limit: string): MqfleetError =>
  new MqfleetError('TOO_LARGE', `"${property}" exceeds the maximum of ${limit}`, property);

/** A bound of the session (e.g. its subscriptions) would be exceeded by the request. */
export const limitExceeded = (property: string, limit: string): MqfleetError =>
  new MqfleetError('LIMIT_EXCEEDED', `"${property}": ${limit}`, property);

export const notFound = (what: string): MqfleetError =>
  new MqfleetError('NOT_FOUND', `${what} does not exist`);

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
