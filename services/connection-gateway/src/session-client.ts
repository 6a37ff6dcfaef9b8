// The gateway's calls to the session-service, over the one transport of
// packages/client/src/transport.ts: every call carries a deadline and the gateway's metadata (the
// internal token when configured, the gateway id once known: proto/mqfleet/v1/session.proto),
// built once and shared by every call; failures become SessionServiceError (errors.ts).
import * as grpc from '@grpc/grpc-js';
import type { Config } from '@mqfleet/core';
import { CallError, decodeFailure, Transport, type UnaryMethod } from '@mqfleet/client';
import {
  v1,
  type OpenSessionRequest,
  type OpenSessionResponse__Output,
  type CloseSessionRequest,
  type KeepWillsRequest,
  type KeepWillsResponse__Output,
  type CloseSessionResponse__Output,
  type DescribeSessionsResponse__Output,
  type ChangeSubscriptionsBatchRequest,
  type ChangeSubscriptionsBatchResponse__Output,
  type ChangeSubscriptionsRequest,
  type ChangeSubscriptionsResponse__Output,
  type BatchFailure__Output,
  type OpenSessionsRequest,
  type OpenSessionsResponse__Output,
  type CloseSessionsRequest,
  type CloseSessionsResponse__Output,
  type ListMqApiSessionsResponse__Output,
  type ListSessionNamesResponse__Output,
} from '@mqfleet/proto';
import { SessionServiceError } from './errors';

export { INTERNAL_TOKEN_METADATA_KEY } from '@mqfleet/client';
/** Deadline of the calls nobody waits for (closes, subscription changes), at least. */
const CLOSE_DEADLINE_MS = 30_000;
/** Names per ListSessionNames page. */
const NAMES_PAGE = 5000;
/** Largest reply the gateway accepts from the session-service. */
const MAX_REPLY_BYTES = 256 * 1024 * 1024;

/** Names the calling gateway (the actor of its changes in events). */
export const GATEWAY_METADATA_KEY = 'x-mqfleet-gateway';

const RPC = v1.SessionService.service;

export class SessionClient {
  private readonly transport: Transport;
  private id = '';

  constructor(private readonly config: Config) {
    this.transport = Transport.fromConfig(config, {
      // Replies carry whole sessions (up to MQFLEET_MAX_SUBSCRIPTION_BYTES of filters and a will of
      // up to the packet size each): a batch of them may exceed gRPC's 4 MiB default.
      maxReceiveMessageBytes: MAX_REPLY_BYTES,
    });
  }

  /** Sent with every call once the gateway knows its id. */
  get gatewayId(): string {
    return this.id;
  }

  set gatewayId(id: string) {
    this.id = id;
    this.transport.setCallerMetadata(GATEWAY_METADATA_KEY, id || undefined);
  }

  /**
   * OpenSession; the CONNECTs of one turn of the event loop travel in one OpenSessions call
   * (the per-call cost of gRPC was a good part of the gateway's CPU per connect). A CONNECT with
   * a password travels alone: its check may hash for a few hundred milliseconds, and a batch is
   * answered as a whole, so the password-less CONNECTs of its turn would wait for the hash.
   */
  openSession(request: OpenSessionRequest): Promise<OpenSessionResponse__Output> {
    if (request.password !== undefined) return this.call('OpenSession', RPC.OpenSession, request);
    return this.opens.submit(request);
  }

  /**
   * Takes back an open still waiting for its call (not sent yet); true when it was. Its promise
   * rejects with WithdrawnError.
   */
  withdrawOpen(request: OpenSessionRequest): boolean {
    return this.opens.withdraw(request);
  }

  /** One page of the stored sessions' names (known-sessions.ts). */
  listSessionNames(after: string): Promise<ListSessionNamesResponse__Output> {
    return this.call('ListSessionNames', RPC.ListSessionNames, { after, limit: NAMES_PAGE });
  }

  /** Delayed wills handed over as the gateway stops (wills.ts handOver). */
  async keepWills(
    wills: { clientName: string; connectionId: string; dueInMs: number }[],
  ): Promise<boolean[]> {
    const response = await this.call<KeepWillsRequest, KeepWillsResponse__Output>(
      'KeepWills',
      RPC.KeepWills,
      {
        wills,
      },
    );
    return response.kept;
  }

  /** One page of the MQ API sessions with their subscriptions (mq-api-sessions.ts). */
  listMqApiSessions(after: string): Promise<ListMqApiSessionsResponse__Output> {
    return this.call('ListMqApiSessions', RPC.ListMqApiSessions, { after, limit: NAMES_PAGE });
  }

  /**
   * Opens and closes submitted and not answered yet: the session-service's backlog of this
   * gateway's connects and disconnects (the gateway's load signal, index.ts underLoad).
   */
  get unanswered(): number {
    return this.opens.unanswered + this.closes.unanswered;
  }

  /** CloseSession, batched like openSession (CloseSessions). */
  closeSession(request: CloseSessionRequest): Promise<CloseSessionResponse__Output> {
    return this.closes.submit(request);
  }

  private readonly opens = new TurnBatch<OpenSessionRequest, OpenSessionResponse__Output>(
    'OpenSession',
    (requests) =>
      this.call<OpenSessionsRequest, OpenSessionsResponse__Output>('OpenSessions', RPC.OpenSessions, {
        requests,
      }).then((r) => r.results),
    (request) => this.call('OpenSession', RPC.OpenSession, request),
  );

  private readonly closes = new TurnBatch<CloseSessionRequest, CloseSessionResponse__Output>(
    'CloseSession',
    (requests) =>
      this.call<CloseSessionsRequest, CloseSessionsResponse__Output>(
        'CloseSessions',
        RPC.CloseSessions,
        { requests },
        this.writeBehindDeadlineMs,
      ).then((r) => r.results),
    (request) => this.call('CloseSession', RPC.CloseSession, request, this.writeBehindDeadlineMs),
  );

  /**
   * Nobody waits for a close or a subscription change (writer.ts retries them until they land), so
   * they may queue longer than a call a client waits for: in a reconnect storm of 20,000 sessions,
   * closes that timed out after 5 s while queued behind the others were sent again and again.
   */
  private get writeBehindDeadlineMs(): number {
    return Math.max(this.config.grpcDeadlineMs, CLOSE_DEADLINE_MS);
  }

  describeSessions(clientNames: string[]): Promise<DescribeSessionsResponse__Output> {
    return this.call('DescribeSessions', RPC.DescribeSessions, { clientNames });
  }

  /**
   * Stores a client's SUBSCRIBE/UNSUBSCRIBE in its session; batched like openSession
   * (ChangeSubscriptionsBatch: a fleet that subscribes at once was stored one commit at a time).
   */
  changeSubscriptions(request: ChangeSubscriptionsRequest): Promise<ChangeSubscriptionsResponse__Output> {
    return this.subscriptionChanges.submit(request);
  }

  private readonly subscriptionChanges = new TurnBatch<
    ChangeSubscriptionsRequest,
    ChangeSubscriptionsResponse__Output
  >(
    'ChangeSubscriptions',
    (requests) =>
      this.call<ChangeSubscriptionsBatchRequest, ChangeSubscriptionsBatchResponse__Output>(
        'ChangeSubscriptionsBatch',
        RPC.ChangeSubscriptionsBatch,
        { requests },
        this.writeBehindDeadlineMs,
      ).then((r) => r.results),
    (request) =>
      this.call('ChangeSubscriptions', RPC.ChangeSubscriptions, request, this.writeBehindDeadlineMs),
  );

  close(): void {
    this.transport.close();
  }

  /**
   * One call with the gateway's metadata (shared, built when the gateway id is set); no retries:
   * the callers decide (writer.ts retries writes until they land, a CONNECT is refused).
   */
  private call<Req, Res>(
    rpc: string,
    method: UnaryMethod<Req, Res>,
    request: Req,
    deadlineMs = this.config.grpcDeadlineMs,
  ): Promise<Res> {
    return this.transport
      .unary(method, request, { metadata: this.transport.internal, deadlineMs })
      .catch((err: unknown) => {
        throw err instanceof CallError ? new SessionServiceError(rpc, err) : err;
      });
  }
}

/**
 * Requests per batch call: a reply carries a whole session per request (a few KiB each) and must
 * stay well below gRPC's 4 MiB message limit (a reconnect storm of 20,000 sessions put thousands
 * of CONNECTs into one turn, and their reply was refused as too large).
 */
const MAX_PER_CALL = 200;

/** One request's outcome in a batch reply (OpenSessionResult, CloseSessionResult). */
interface BatchResult<Res> {
  response?: Res | null;
  failure?: BatchFailure__Output | null;
}

/**
 * Batch calls of one kind in flight at once. While that many wait for their replies, new requests
 * gather and leave together when one returns: at 1,000 CONNECTs a second a turn of the event loop
 * holds one or two of them, and a call per turn spent about 5 % of the gateway's CPU per connect in
 * gRPC's per-call work. Nothing waits when the session-service keeps up (fewer calls in flight).
 */
export const CALLS_IN_FLIGHT = 4;

/** A request waiting for its batch call. */
interface Waiting<Req, Res> {
  request: Req;
  resolve(res: Res): void;
  reject(err: unknown): void;
  withdrawn: boolean;
}

/** An open taken back before it was sent (TurnBatch.withdraw). */
export class WithdrawnError extends Error {
  constructor() {
    super('withdrawn before it was sent');
    this.name = 'WithdrawnError';
  }
}

/** One error for every withdrawal (see TurnBatch.withdraw). */
const WITHDRAWN = new WithdrawnError();

/**
 * Gathers the requests of one turn of the event loop (or, with CALLS_IN_FLIGHT calls out, until
 * one returns) into one batch call; each caller gets its own response or SessionServiceError, as
 * from the single call. A session-service without the batch RPC (UNIMPLEMENTED: an older version
 * during a rolling upgrade) gets single calls.
 */
export class TurnBatch<Req, Res> {
  private pending: Waiting<Req, Res>[] = [];
  /** The pending requests by identity (withdraw). */
  private readonly waiting = new Map<Req, Waiting<Req, Res>>();
  private single = false;
  private inFlight = 0;
  /** Requests in the calls out. */
  private sending = 0;
  private scheduled = false;

  constructor(
    private readonly rpc: string,
    private readonly many: (requests: Req[]) => Promise<BatchResult<Res>[]>,
    private readonly one: (request: Req) => Promise<Res>,
  ) {}

  /** Requests waiting for their call or for its answer (withdrawn ones until the next call). */
  get unanswered(): number {
    return this.pending.length + this.sending;
  }

  submit(request: Req): Promise<Res> {
    if (this.single) return this.one(request);
    return new Promise((resolve, reject) => {
      const entry: Waiting<Req, Res> = { request, resolve, reject, withdrawn: false };
      this.pending.push(entry);
      this.waiting.set(request, entry);
      if (!this.scheduled && this.inFlight < CALLS_IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Removes a request that has not been sent yet (it rejects with WithdrawnError). */
  withdraw(request: Req): boolean {
    const entry = this.waiting.get(request);
    if (!entry) return false;
    this.waiting.delete(request);
    entry.withdrawn = true;
    // One error for all: its stack trace is of no use, and making one per withdrawal showed in
    // the connect profile.
    entry.reject(WITHDRAWN);
    return true;
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < CALLS_IN_FLIGHT) {
      const batch: Waiting<Req, Res>[] = [];
      let taken = 0;
      while (taken < this.pending.length && batch.length < MAX_PER_CALL) {
        const entry = this.pending[taken++]!;
        if (entry.withdrawn) continue;
        this.waiting.delete(entry.request);
        batch.push(entry);
      }
      this.pending.splice(0, taken);
      if (batch.length > 0) this.send(batch);
    }
  }

  private send(batch: Waiting<Req, Res>[]): void {
    this.inFlight++;
    this.sending += batch.length;
    void this.many(batch.map((p) => p.request))
      .then(
        (results) => {
          batch.forEach((p, i) => {
            const result = results[i];
            if (result?.response) p.resolve(result.response);
            else {
              const f = result?.failure;
              p.reject(
                new SessionServiceError(
                  this.rpc,
                  decodeFailure({ ...f, errorMessage: f?.errorMessage || 'no result' }),
                ),
              );
            }
          });
        },
        (err: unknown) => {
          if (err instanceof SessionServiceError && err.grpcCode === grpc.status.UNIMPLEMENTED) {
            this.single = true;
            for (const p of batch) this.one(p.request).then(p.resolve, p.reject);
            return;
          }
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.sending -= batch.length;
        this.flush();
      });
  }
}
