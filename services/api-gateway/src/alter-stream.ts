// alterMqSession's way to the session-service: one long-lived AlterSessionStream carries the
// alterations of every caller (each item with that caller's token and an id), instead of one unary
// call each. A unary call costs an HTTP/2 stream with headers and metadata both ways; an item on
// an open stream is one message each way, which at thousands of alterations per second is a good
// part of both services' CPU. Results come back by id as each alteration is done.
//
// Failure handling matches the unary call's: an item not answered within the gRPC deadline fails
// with TIMEOUT; when the stream breaks (the session-service restarts, the connection drops) every
// item waiting on it fails with UNAVAILABLE and the next alteration opens a new stream. Failures
// are the transport's CallError (packages/client/src/transport.ts), as from a unary call: an
// item's refusal goes through its decodeFailure.
import * as grpc from '@grpc/grpc-js';
import { CallError, decodeFailure } from '@mqfleet/client';
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

const unavailable = (why: string): CallError =>
  new CallError('UNAVAILABLE', why, undefined, grpc.status.UNAVAILABLE);

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

  /** `requestId`: the caller's request id, carried into the change's event (docs/operations.md). */
  alter(
    request: AlterSessionRequest,
    authToken: string,
    requestId = '',
  ): Promise<AlterSessionResponse__Output> {
    if (this.closed) return Promise.reject(unavailable('the api-gateway is closing'));
    const stream = this.open();
    this.lastId = (this.lastId % MAX_ID) + 1;
    const id = this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new CallError(
            'TIMEOUT',
            'the session-service did not answer in time',
            undefined,
            grpc.status.DEADLINE_EXCEEDED,
          ),
        );
      }, this.deadlineMs);
      this.waiting.set(id, { resolve, reject, timer });
      stream.write({ id, authToken, request, requestId });
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
    waiting.reject(decodeFailure(result));
  }

  /** The stream is gone: whatever waits on it fails; the next alteration opens a new one. */
  private fail(stream: Stream | undefined, err: CallError): void {
    if (!stream || this.stream !== stream) return;
    this.stream = undefined;
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(err);
      this.waiting.delete(id);
    }
  }
}
