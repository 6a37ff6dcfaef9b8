// The writes a gateway owes the session-service: the open of a CONNECT it answered without
// waiting (packets/connect.ts), a client's subscription changes and the close of its connection.
// The data path never waits for them (docs/mqtt.md, "Packet order"): a SUBSCRIBE is in force on
// the gateway at once and stored behind it. So a write is never dropped because
// the session-service or Postgres is slow or away for a while: it is retried, with a growing
// pause, until it lands. Writes of one client id go in the order they were made (a close after
// the subscription changes before it). Only two answers end a write without landing it: the
// connection no longer holds the session (NOT_FOUND: the client moved on, its newer connection
// owns the state now) and a request the session-service can never accept (INVALID_ARGUMENT,
// logged as an error). When the gateway shuts down it waits a bounded time for what is owed; the
// session-service marks the sessions of a gateway that went away as disconnected anyway.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from '@mqfleet/core';
import type {
  ChangeSubscriptionsRequest,
  ChangeSubscriptionsResponse__Output,
  CloseSessionRequest,
  CloseSessionResponse__Output,
  OpenSessionRequest,
  OpenSessionResponse__Output,
} from '@mqfleet/proto';
import { SessionServiceError } from './errors';
import { WithdrawnError, type SessionClient } from './session-client';

const FIRST_PAUSE_MS = 100;

interface HeldOpen {
  request: OpenSessionRequest;
  beforeSend(request: OpenSessionRequest): void;
  landed(response: OpenSessionResponse__Output | undefined): void;
}
/**
 * How long the open of a CONNECT answered first waits before it is sent. A client that connects
 * and leaves within that time (a clean session) costs the session-service nothing; the others are
 * stored this much later. In the connect benchmark, on a loaded machine, 72 % of answered opens
 * were withdrawn with 20 ms, 96 % with 100 ms.
 */
export const ANSWERED_HOLD_MS = 100;
const MAX_PAUSE_MS = 5000;

/** Answers after which retrying cannot help. */
const FINAL = new Set<number>([GrpcStatus.NOT_FOUND, GrpcStatus.INVALID_ARGUMENT]);

export class SessionWriter {
  /** Per client id, the last write owed: the next one starts after it. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private stopping = false;
  /** Writes retried at least once (a session-service that was away). */
  retries = 0;

  constructor(
    private readonly client: SessionClient,
    private readonly logger: Logger,
  ) {}

  /** Stores a client's SUBSCRIBE/UNSUBSCRIBE; undefined when its connection lost the session. */
  changeSubscriptions(
    request: ChangeSubscriptionsRequest,
  ): Promise<ChangeSubscriptionsResponse__Output | undefined> {
    const clientName = request.clientName!;
    const write = this.owe(clientName, 'ChangeSubscriptions', () => this.client.changeSubscriptions(request));
    this.subscriptionWrites.set(clientName, write);
    void write.then(() => {
      if (this.subscriptionWrites.get(clientName) === write) this.subscriptionWrites.delete(clientName);
    });
    return write;
  }

  /** Per client id, an open owed for a CONNECT already answered, until it lands or is withdrawn. */
  private readonly answeredOpens = new Map<string, OpenSessionRequest>();
  /**
   * Answered opens held back until the next hold ends (ANSWERED_HOLD_MS), by client id: plain
   * entries, no promise yet. Most of them are withdrawn (a clean client that connects and leaves)
   * and never become a write; in the connect benchmark the promises of a write per CONNECT were a
   * good part of the gateway's garbage.
   */
  private held = new Map<string, HeldOpen>();
  private holdTimer: NodeJS.Timeout | undefined;

  /**
   * Opens the session of a CONNECT the gateway already answered: held for ANSWERED_HOLD_MS, so
   * that a session that ends within that time (its connection closed) costs no write at all
   * (withdrawOpen), then owed like every write here (retried until it lands). `beforeSend`
   * completes the request when it is sent; `landed` gets the response, or undefined when the open
   * was withdrawn after it was released or can never land (not called for an open withdrawn while
   * held: its connection has ended, nobody waits).
   */
  openSession(
    request: OpenSessionRequest,
    beforeSend: (request: OpenSessionRequest) => void,
    landed: (response: OpenSessionResponse__Output | undefined) => void,
  ): void {
    const clientName = request.clientName!;
    this.answeredOpens.set(clientName, request);
    this.held.set(clientName, { request, beforeSend, landed });
    this.holdTimer ??= setTimeout(() => {
      this.holdTimer = undefined;
      const released = this.held;
      this.held = new Map();
      for (const [name, open] of released) this.release(name, open);
    }, ANSWERED_HOLD_MS);
  }

  /** A held open becomes a write (its hold ended, or another write of its client id comes after it). */
  private release(clientName: string, open: HeldOpen): void {
    const { request } = open;
    const write = this.owe(clientName, 'OpenSession', () => {
      open.beforeSend(request);
      return this.client.openSession(request);
    });
    void write.then((response) => {
      if (this.answeredOpens.get(clientName) === request) this.answeredOpens.delete(clientName);
      open.landed(response);
    });
  }

  /**
   * Takes back the answered open of this client id while it is held or waits for a call: its
   * connection ended first and its session ends with it, so nothing needs writing (neither the
   * open nor the close). False once it was sent.
   */
  withdrawOpen(clientName: string): boolean {
    const request = this.answeredOpens.get(clientName);
    if (!request) return false;
    if (this.held.get(clientName)?.request === request) this.held.delete(clientName);
    else if (!this.client.withdrawOpen(request)) return false;
    this.answeredOpens.delete(clientName);
    this.withdrawn++;
    return true;
  }

  /** Opens taken back by withdrawOpen. */
  withdrawn = 0;

  /** Opens of answered CONNECTs that have not landed yet. */
  get answeredOwed(): number {
    return this.answeredOpens.size;
  }

  /** Whether writes are owed for this client id. */
  owes(clientName: string): boolean {
    return this.chains.has(clientName) || this.held.has(clientName);
  }

  /**
   * The last write owed for this client id when it is a subscription change (undefined when
   * nothing is owed, or something else is last: an open or a close).
   */
  lastSubscriptionWrite(
    clientName: string,
  ): Promise<ChangeSubscriptionsResponse__Output | undefined> | undefined {
    const chain = this.chains.get(clientName);
    const write = this.subscriptionWrites.get(clientName);
    return chain !== undefined && chain === write && !this.held.has(clientName) ? write : undefined;
  }

  /** Per client id, the last subscription change owed (settled() waits for it). */
  private readonly subscriptionWrites = new Map<
    string,
    Promise<ChangeSubscriptionsResponse__Output | undefined>
  >();

  /** Closes a connection's session; undefined when it no longer held it. */
  closeSession(request: CloseSessionRequest): Promise<CloseSessionResponse__Output | undefined> {
    return this.owe(request.clientName!, 'CloseSession', () => this.client.closeSession(request));
  }

  /**
   * Resolves once the subscription changes owed for this client id so far have landed or ended,
   * or after `timeoutMs`: a CONNECT waits for those of the client's previous connection here, so
   * that the session it resumes has them. Not for a close still owed: the new connection takes
   * the session over whatever the old one's close does (in a reconnect storm, waiting for 20,000
   * closes held every CONNECT back by seconds).
   */
  settled(clientName: string, timeoutMs: number): Promise<void> {
    const chain = this.subscriptionWrites.get(clientName);
    if (!chain) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      chain.then(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  }

  /** How many client ids have writes owed right now. */
  get owed(): number {
    return this.chains.size;
  }

  /** Stops retrying (the gateway is closing): what is still owed ends after its current attempt. */
  stop(): void {
    this.stopping = true;
  }

  private owe<T>(clientName: string, rpc: string, call: () => Promise<T>): Promise<T | undefined> {
    // A write after a held open goes after it: the open is released now.
    const held = this.held.get(clientName);
    if (held) {
      this.held.delete(clientName);
      this.release(clientName, held);
    }
    const previous = this.chains.get(clientName) ?? Promise.resolve();
    const next = previous.then(() => this.attempt(clientName, rpc, call));
    this.chains.set(clientName, next);
    void next.then(() => {
      if (this.chains.get(clientName) === next) this.chains.delete(clientName);
    });
    return next;
  }

  private async attempt<T>(clientName: string, rpc: string, call: () => Promise<T>): Promise<T | undefined> {
    let pause = FIRST_PAUSE_MS;
    for (let tries = 1; ; tries++) {
      try {
        return await call();
      } catch (err) {
        if (err instanceof WithdrawnError) return undefined;
        const code = err instanceof SessionServiceError ? err.grpcCode : undefined;
        if (code !== undefined && FINAL.has(code)) {
          if (code === GrpcStatus.INVALID_ARGUMENT)
            this.logger.error(`${rpc} refused; it cannot be stored`, { clientName, err });
          else this.logger.debug(`${rpc} no longer applies`, { clientName, err: (err as Error).message });
          return undefined;
        }
        if (this.stopping) {
          this.logger.warn(`${rpc} not stored before shutdown`, { clientName, err: (err as Error).message });
          return undefined;
        }
        if (tries === 1) {
          this.retries++;
          this.logger.warn(`${rpc} failed; retrying until it lands`, {
            clientName,
            err: (err as Error).message,
          });
        }
        // (A pause does not keep the process alive by itself: a gateway is kept by its listeners.)
        await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random() / 2)).unref());
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    }
  }
}
