// The client ids that have a stored session, as far as this gateway knows: a CONNECT of any other
// client id has nothing stored to resume, refuse or pin, so the gateway may answer it before its
// OpenSession is written (packets/connect.ts; docs/mqtt.md, "Connects at scale").
//
// Kept by their client tokens (the last part of a session event's subject): a page-by-page copy of
// the session-service's names (ListSessionNames) taken after the session events consumer attached,
// with every session event read since applied on top in order: `deleted` removes a token, any
// other event adds it. Events that arrive while a copy is being read are applied after it, in
// order, so the copy cannot undo a newer event. Until a copy is complete (at start, and after the
// events consumer or NATS was away) nothing is known and every CONNECT waits for its OpenSession.
//
// A token kept too long only makes a CONNECT wait as before. A token missing (an event not yet
// read: a session another gateway created a moment ago) lets a CONNECT be answered as a new
// session; its OpenSession, marked `answered`, then finds the stored session and the gateway
// applies what it says (a ban ends the connection).
import { clientToken, type Logger } from '@mqfleet/core';
import type { ListSessionNamesResponse__Output } from '@mqfleet/proto';

export type ListNames = (after: string) => Promise<ListSessionNamesResponse__Output>;

/**
 * A token (22 base64url characters of the client id's SHA-256) as a number: its first 8
 * characters, 48 bits. A number takes a fraction of a string's memory (and a token cut from an
 * event's subject would keep the whole subject alive). Two stored client ids may share a key (among
 * a million of them, the chance that any two do is about 1 in 500); when one of them is deleted,
 * the other looks unknown, and its next CONNECT is answered as new and then corrected as above.
 */
function keyOf(token: string): number {
  let key = 0;
  for (let i = 0; i < 8; i++) key = key * 64 + (BASE64URL.indexOf(token[i]!) & 63);
  return key;
}
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const RETRY_MS = 1000;

export class KnownSessions {
  private tokens = new Set<number>();
  /** While a copy is read: the events that arrived meanwhile, applied after it. */
  private pending: [deleted: boolean, key: number][] | undefined;
  private loadedOnce = false;
  /** Bumped by every reload and invalidation: a copy from an older one is thrown away. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the session-service accepts CONNECTs without a user name (from the last copy). */
  anonymousAllowed = false;

  constructor(
    private readonly list: ListNames,
    private readonly logger: Logger,
  ) {}

  /** True once a complete copy is held and nothing was missed since. */
  get ready(): boolean {
    return this.loadedOnce && this.pending === undefined;
  }

  /** Whether the client id may have a stored session (always true while not ready). */
  mayExist(clientName: string): boolean {
    return !this.ready || this.tokens.has(keyOf(clientToken(clientName)));
  }

  /** A session event read from the bus (its type and client token, from its subject). */
  noteEvent(type: string, token: string): void {
    this.apply(type === 'deleted', keyOf(token));
  }

  /** What this gateway learnt from its own OpenSession / CloseSession replies. */
  noteStored(clientName: string, stored: boolean): void {
    this.apply(!stored, keyOf(clientToken(clientName)));
  }

  private apply(deleted: boolean, key: number): void {
    if (this.pending) {
      this.pending.push([deleted, key]);
      return;
    }
    if (deleted) this.tokens.delete(key);
    else this.tokens.add(key);
  }

  /** Events may have been missed (NATS away): nothing is known until the next reload. */
  invalidate(): void {
    this.generation++;
    this.pending = undefined;
    this.loadedOnce = false;
  }

  /** Reads a fresh copy (the events consumer just attached); retried until it succeeds. */
  reload(): void {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    const generation = ++this.generation;
    this.pending = [];
    void this.read(generation).then(
      ({ tokens, anonymousAllowed }) => {
        if (generation !== this.generation || this.stopped) return;
        const missed = this.pending ?? [];
        this.pending = undefined;
        this.tokens = tokens;
        this.anonymousAllowed = anonymousAllowed;
        for (const [deleted, key] of missed) this.apply(deleted, key);
        this.loadedOnce = true;
        this.logger.debug('stored session names read', { sessions: tokens.size });
      },
      (err: unknown) => {
        if (generation !== this.generation || this.stopped) return;
        this.logger.warn('stored session names not read; retrying', { err: (err as Error).message });
        this.retryTimer = setTimeout(() => this.reload(), RETRY_MS);
        this.retryTimer.unref();
      },
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async read(generation: number): Promise<{ tokens: Set<number>; anonymousAllowed: boolean }> {
    const tokens = new Set<number>();
    let after = '';
    let anonymousAllowed = false;
    do {
      const page = await this.list(after);
      if (generation !== this.generation) break;
      for (const name of page.clientNames) tokens.add(keyOf(clientToken(name)));
      anonymousAllowed = page.anonymousAllowed;
      after = page.next;
    } while (after !== '');
    return { tokens, anonymousAllowed };
  }
}
