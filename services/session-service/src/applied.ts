// Waits for gateways' confirmations that a session version is in force on a live connection
// (subject <prefix>.applied.<client-token>). A confirmation of version v also confirms every
// lower version: a gateway applies the newest state it has.
import type { NatsConnection, Subscription } from 'nats';
import type { SessionApplied, Subjects } from '@mqfleet/core';

/** Confirmations are remembered this long, for waiters that register after the message. */
const RECENT_MS = 10_000;

interface Waiter {
  version: bigint;
  resolve(applied: boolean): void;
}

export class AppliedWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly recent = new Map<string, { version: bigint; at: number }>();
  private sub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.subjects.sessionAppliedAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const applied = msg.json<SessionApplied>();
          this.confirm(applied.clientName, BigInt(applied.version));
        } catch {
          // A malformed confirmation is ignored.
        }
      },
    });
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [name, r] of this.recent) if (now - r.at > RECENT_MS) this.recent.delete(name);
    }, RECENT_MS);
    this.sweeper.unref();
  }

  private confirm(clientName: string, version: bigint): void {
    const previous = this.recent.get(clientName);
    if (!previous || previous.version < version) this.recent.set(clientName, { version, at: Date.now() });
    const set = this.waiters.get(clientName);
    if (!set) return;
    for (const w of set) {
      if (w.version <= version) {
        set.delete(w);
        w.resolve(true);
      }
    }
    if (set.size === 0) this.waiters.delete(clientName);
  }

  /** Resolves true once version (or a newer one) is confirmed, false after timeoutMs. */
  wait(clientName: string, version: string, timeoutMs: number): Promise<boolean> {
    const v = BigInt(version);
    const seen = this.recent.get(clientName);
    if (seen && seen.version >= v) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.waiters.get(clientName) ?? new Set<Waiter>();
      this.waiters.set(clientName, set);
      const waiter: Waiter = {
        version: v,
        resolve: (applied) => {
          clearTimeout(timer);
          resolve(applied);
        },
      };
      const timer = setTimeout(() => {
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(clientName);
        resolve(false);
      }, timeoutMs);
      set.add(waiter);
    });
  }

  close(): void {
    this.sub?.unsubscribe();
    if (this.sweeper) clearInterval(this.sweeper);
    for (const set of this.waiters.values()) for (const w of set) w.resolve(false);
    this.waiters.clear();
  }
}
