// Persistent sessions whose connection ended here a moment ago, kept before their close is stored
// (docs/mqtt.md, "Resumed from the gateway's hold"). Under load a device that reconnects to the
// same gateway within the hold resumes its session from what the gateway still holds: the
// session-service is told neither the close nor the open, because the stored session already
// says what is true again (connected here, by the same connection id, at the same version). A
// session that is not taken back in time, or about which anything happens meanwhile (a session
// event, NATS away, the gateway closing), has its close sent as it would have been at once.
import type { Settings } from '@mqfleet/core';
import type { CloseSessionResponse__Output, Session__Output } from '@mqfleet/proto';

/**
 * Whether a CONNECT's declared settings (core connect.ts declaredSettings) leave a session's
 * settings as they are: the session-service would store nothing new for it (it writes each
 * declared field that is not pinned, so equal values change nothing, pinned or not). Lists and
 * bytes (the will's) only compare equal when both are empty.
 */
export function sameSettings(held: Settings, declared: Partial<Settings>): boolean {
  for (const [field, value] of Object.entries(declared) as [keyof Settings, unknown][]) {
    const current = held[field] as unknown;
    if (value === current) continue;
    if (!isEmpty(value) || !isEmpty(current)) return false;
  }
  return true;
}

/** An empty string, list or bytes (a will field, in whichever form it was stored). */
const isEmpty = (x: unknown): boolean =>
  x === '' || ((Array.isArray(x) || Buffer.isBuffer(x)) && x.length === 0);

/** A session held after its connection ended. */
export interface HeldSession {
  readonly clientName: string;
  /** The connection that holds the session in the store: a resuming connection takes its id. */
  readonly connectionId: string;
  /** The stored version the session is held at (that of its last write, once it landed). */
  version: bigint;
  readonly protocolVersion: number;
  /**
   * The session as the ended connection last applied it (settings and subscriptions), or as its
   * last subscription change stored it.
   */
  session: Session__Output;
  /** When the close is sent if nobody takes the session back (ms since the epoch). */
  readonly due: number;
  /**
   * Lets go of the NATS interest the held session kept for its subscriptions: when its close is
   * sent, or (taken back) once the resuming connection has its own.
   */
  readonly unkeep: () => void;
  /** Sends the close that was held (the write the writer owes: retried until it lands). */
  readonly send: () => Promise<CloseSessionResponse__Output | undefined>;
  /** Settles the ending connection's close: with the write's answer, or undefined when taken. */
  readonly settle: (response: Promise<CloseSessionResponse__Output | undefined> | undefined) => void;
  /**
   * A subscription change of the ended connection is still being stored: the session is taken
   * back once it lands (the held state does not have it yet), when `landed` settles.
   */
  writing: boolean;
  readonly landed: Promise<void> | undefined;
  /** The newest version a session event showed while the write was out. */
  newest: bigint;
}

/**
 * Sessions a gateway holds at most: beyond it the oldest held close is sent at once. A few hundred
 * bytes each (the entry, its promise and closures; the session object is the ended connection's).
 */
export const MAX_HELD = 100_000;

export class ResumeHold {
  /** By client id, in the order they were held (= the order they fall due: one hold time). */
  private readonly held = new Map<string, HeldSession>();
  private timer: NodeJS.Timeout | undefined;
  /** Sessions taken back by a reconnect / whose close was sent after all. */
  taken = 0;
  released = 0;

  constructor(
    private readonly holdMs: number,
    /** A client's session events are read while it is held (its id is watched). */
    private readonly watch: (clientName: string, watching: boolean) => void,
    private readonly maxHeld = MAX_HELD,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /**
   * Holds a session whose connection ended; the promise settles like its close would have: with
   * the close's answer once it is sent, or undefined when a reconnect took the session back.
   */
  hold(
    entry: Omit<HeldSession, 'due' | 'settle' | 'writing' | 'newest' | 'landed'>,
    /**
     * The last subscription change of the ended connection, while it is still being stored: the
     * session is held at what it stores (its session, undefined when it did not land).
     */
    write?: Promise<Session__Output | undefined>,
  ): Promise<CloseSessionResponse__Output | undefined> {
    this.release(entry.clientName);
    // Full: the oldest goes (Map order is the order they were held).
    if (this.held.size >= this.maxHeld) this.release(this.held.keys().next().value!);
    return new Promise((settle) => {
      const held: HeldSession = {
        ...entry,
        due: Date.now() + this.holdMs,
        settle,
        writing: write !== undefined,
        newest: 0n,
        landed: write?.then((session) => this.written(held, session)),
      };
      this.held.set(entry.clientName, held);
      this.watch(entry.clientName, true);
      this.timer ??= setTimeout(() => this.sweep(), this.holdMs);
    });
  }

  /**
   * The subscription change a held session waited for landed (`session` as stored), or did not
   * (undefined: its connection no longer held the session).
   */
  private written(held: HeldSession, session: Session__Output | undefined): void {
    if (this.held.get(held.clientName) !== held) return;
    const version = session ? BigInt(session.version) : 0n;
    // Anything newer happened meanwhile, or the write found the session elsewhere: the close goes.
    if (!session || held.newest > version) {
      this.release(held.clientName);
      return;
    }
    held.version = version;
    held.session = session;
    held.writing = false;
  }

  /**
   * Takes the held session of this client id back for a connection that resumes it, if
   * `resumes(entry)` (nothing is sent); otherwise its close is sent now. A session whose last
   * subscription change is still being stored is taken (or not) once that write lands: a promise.
   */
  take(
    clientName: string,
    resumes: (entry: HeldSession) => boolean,
  ): HeldSession | undefined | Promise<HeldSession | undefined> {
    const entry = this.held.get(clientName);
    if (!entry) return undefined;
    if (entry.writing) return entry.landed!.then(() => this.take(clientName, resumes));
    if (!resumes(entry)) {
      this.release(clientName);
      return undefined;
    }
    this.held.delete(clientName);
    this.watch(clientName, false);
    this.taken++;
    entry.settle(undefined);
    return entry;
  }

  /** Sends the held close of this client id now (anything happened to the session). */
  release(clientName: string): void {
    const entry = this.held.get(clientName);
    if (!entry) return;
    this.held.delete(clientName);
    this.watch(clientName, false);
    this.released++;
    entry.unkeep();
    entry.settle(entry.send());
  }

  /** Sends the held close of this client id if a newer version of its session exists. */
  releaseNewer(clientName: string, version: bigint): void {
    const entry = this.held.get(clientName);
    if (!entry || version <= entry.version) return;
    // (While its subscription change is out, the event may be that change's own: decided when
    // it lands.)
    if (entry.writing) entry.newest = version > entry.newest ? version : entry.newest;
    else this.release(clientName);
  }

  /** Sends every held close (NATS was away, the gateway closes). */
  releaseAll(): void {
    for (const clientName of [...this.held.keys()]) this.release(clientName);
  }

  private sweep(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [clientName, entry] of this.held) {
      if (entry.due > now) {
        this.timer = setTimeout(() => this.sweep(), entry.due - now);
        return;
      }
      this.release(clientName);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.releaseAll();
  }
}
