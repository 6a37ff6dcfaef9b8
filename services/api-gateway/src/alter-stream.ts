// alterMqSession's way to the session-service: one long-lived AlterSessionStream carries the
// alterations of every caller (each item with that caller's token and an id), instead of one unary
// call each. A unary call costs an HTTP/2 stream with headers and metadata both ways; an item on
// an open stream is one message each way, which at thousands of alterations per second is a good
// part of both services' CPU. Results come back by id as each alteration is done.
//
// Failure handling matches the unary call's: an item not answered within the gRPC deadline fails
// with TIMEOUT; when the stream breaks (the session-service restarts, the connection drops) every
// item waiting on it fails with UNAVAILABLE and the next alteration opens a new stream.
import * as grpc from '@grpc/grpc-js';
import {
  ERROR_CODE_METADATA_KEY,
  ERROR_KINDS,
  ERROR_PROPERTY_METADATA_KEY,
  isErrorCode,
  type ErrorCode,
} from '@mqfleet/core';
import type {
  AlterSessionRequest,
  AlterSessionResponse__Output,
  AlterSessionStreamRequest,
  AlterSessionStreamResult__Output,
  SessionServiceClientType,
} from '@mqfleet/proto';

interface Waiting {
  resolve(response: AlterSessionResponse__Output): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

type Stream = grpc.ClientDuplexStream<AlterSessionStreamRequest, AlterSessionStreamResult__Output>;

/** A gRPC failure as the unary call would have given it: status, details and metadata. */
function grpcError(code: grpc.status, details: string, metadata = new grpc.Metadata()): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

/**
 * An item's refusal in the shape of the unary call's (status, details, mqfleet-error-code and
 * -property trailers), so errors.ts maps it to the same JSON error, message rules included.
 */
function serviceError(code: ErrorCode, details: string, property?: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, code);
  if (property) metadata.set(ERROR_PROPERTY_METADATA_KEY, property);
  return grpcError(ERROR_KINDS[code].grpcStatus, details, metadata);
}

const unavailable = (why: string): grpc.ServiceError => grpcError(grpc.status.UNAVAILABLE, why);

/** Ids wrap around well below uint32's limit; an id is reused only long after its answer. */
const MAX_ID = 2 ** 31;

export class AlterStream {
  private stream: Stream | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;
  private closed = false;

  constructor(
    private readonly client: SessionServiceClientType,
    private readonly deadlineMs: number,
  ) {}

  alter(request: AlterSessionRequest, authToken: string): Promise<AlterSessionResponse__Output> {
    if (this.closed) return Promise.reject(unavailable('the api-gateway is closing'));
    const stream = this.open();
    this.lastId = (this.lastId % MAX_ID) + 1;
    const id = this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(grpcError(grpc.status.DEADLINE_EXCEEDED, 'the session-service did not answer in time'));
      }, this.deadlineMs);
      this.waiting.set(id, { resolve, reject, timer });
      stream.write({ id, authToken, request });
    });
  }

  close(): void {
    this.closed = true;
    this.stream?.end();
    this.fail(this.stream, unavailable('the api-gateway is closing'));
  }

  private open(): Stream {
    if (this.stream) return this.stream;
    const stream = this.client.alterSessionStream();
    stream.on('data', (result: AlterSessionStreamResult__Output) => this.answer(result));
    stream.on('error', () => this.fail(stream, unavailable('the session-service stream broke')));
    stream.on('end', () => this.fail(stream, unavailable('the session-service ended the stream')));
    this.stream = stream;
    return stream;
  }

  private answer(result: AlterSessionStreamResult__Output): void {
    const waiting = this.waiting.get(result.id);
    if (!waiting) return; // timed out already
    this.waiting.delete(result.id);
    clearTimeout(waiting.timer);
    if (result.response) {
      waiting.resolve(result.response);
      return;
    }
    const code = isErrorCode(result.errorCode) ? result.errorCode : 'INTERNAL';
    waiting.reject(serviceError(code, result.errorMessage, result.errorProperty || undefined));
  }

  /** The stream is gone: whatever waits on it fails; the next alteration opens a new one. */
  private fail(stream: Stream | undefined, err: grpc.ServiceError): void {
    if (!stream || this.stream !== stream) return;
    this.stream = undefined;
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(err);
      this.waiting.delete(id);
    }
  }
}
