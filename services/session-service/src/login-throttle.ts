// Failed logins cost the guesser time (issue 15). Two counters hold each failure: one for the
// username at the source address, one for the address whatever the username. Past its free
// failures a counter delays the next attempt by 1 s, then 2 s, 4 s, ... up to the cap; an attempt
// made while a delay runs is answered "too many attempts" at once, without a password check (no
// hashing, no socket held), and is not counted. Each minute without a failure forgives one
// failure, so a counter decays back to nothing.
//
// A success resets the counter of that username at that address only: logging in to an account
// of one's own does not buy more guesses against others from the same address. A success also
// makes the pair known for a day; a known pair is not held back by its address's counter (devices
// that logged in before keep working when something else behind the same NAT floods), but still
// by its own.
//
// There is deliberately no counter per username alone: it would let anyone lock an account out by
// failing on purpose. Guesses at one account from many addresses are bounded per address and by
// the hashing pool (accounts.ts).
//
// The state is this process's memory, not Postgres: a failed login must not cost a write. With
// several session-services each check is told to the others (share/apply, on core NATS: see
// index.ts), so the replicas count as one: a guesser spreading attempts over them gains nothing
// but the milliseconds the news takes. A restarted or new replica starts with empty counters.
import { randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { NatsConnection } from 'nats';
import type { Logger } from '@mqfleet/core';

const BASE_DELAY_MS = 1000;
/** One failure is forgiven per minute without a failure. */
const DECAY_MS = 60_000;
/** A pair that logged in successfully is known this long. */
const KNOWN_MS = 24 * 60 * 60 * 1000;
/** Entries kept per map; beyond it the least recently touched are dropped. */
const MAX_ENTRIES = 100_000;

export interface ThrottleLimits {
  /** Failures of one username from one address before delays start. */
  freeFailures: number;
  /** Failures from one address, any username, before delays start. */
  addressFreeFailures: number;
  /** The longest delay, in seconds. */
  maxDelaySeconds: number;
}

interface Counter {
  failures: number;
  /** When the last failure counted. */
  last: number;
  /** No attempt is checked before this time. */
  blockedUntil: number;
}

/** Why an attempt is refused without a check, and for how much longer. */
export interface Throttled {
  retryAfterMs: number;
  /** 'username' when the pair's counter holds it back, 'address' when the address's does. */
  by: 'username' | 'address';
}

/**
 * The key of a source address: IPv4 (also IPv4-mapped IPv6) as it is, IPv6 by its /64 prefix, as
 * one host is usually given a whole /64. Anything that does not parse is its own key.
 */
export function addressKey(address: string): string {
  if (!address) return '';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    const parts = v6.toNormalizedString().split(':').slice(0, 4);
    return `${parts.join(':')}::/64`;
  }
  return parsed.toString();
}

class Counters {
  private readonly map = new Map<string, Counter>();

  /** The counter after its decay; undefined when nothing is left of it. */
  get(key: string, now: number): Counter | undefined {
    const c = this.map.get(key);
    if (!c) return undefined;
    const forgiven = Math.floor((now - c.last) / DECAY_MS);
    if (forgiven > 0) {
      c.failures -= forgiven;
      c.last += forgiven * DECAY_MS;
      if (c.failures <= 0 && c.blockedUntil <= now) {
        this.map.delete(key);
        return undefined;
      }
      c.failures = Math.max(0, c.failures);
    }
    return c;
  }

  fail(key: string, now: number, free: number, maxDelayMs: number): void {
    const c = this.get(key, now) ?? { failures: 0, last: now, blockedUntil: 0 };
    c.failures += 1;
    c.last = now;
    if (c.failures > free) {
      const doubling = Math.min(c.failures - free - 1, 30);
      c.blockedUntil = now + Math.min(BASE_DELAY_MS * 2 ** doubling, maxDelayMs);
    }
    // Re-inserted, so the map's order is least recently failed first.
    this.map.delete(key);
    this.map.set(key, c);
    trim(this.map);
  }

  reset(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

function trim<V>(map: Map<string, V>): void {
  if (map.size <= MAX_ENTRIES) return;
  let excess = map.size - MAX_ENTRIES + Math.ceil(MAX_ENTRIES / 10);
  for (const key of map.keys()) {
    if (excess-- <= 0) break;
    map.delete(key);
  }
}

/** A password check's outcome, as one session-service tells the others. */
export interface ThrottleNews {
  outcome: 'failed' | 'succeeded';
  username: string;
  /** The source address's key (addressKey). */
  address: string;
}

export class LoginThrottle {
  private readonly pairs = new Counters();
  private readonly addresses = new Counters();
  private readonly known = new Map<string, number>();
  /** Tells the other session-services of each check made here (none when alone). */
  share: ((news: ThrottleNews) => void) | undefined;

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private static pair(username: string, address: string): string {
    return `${username.toLowerCase()}\0${address}`;
  }

  /** Whether this attempt must be refused unchecked; undefined when it may be checked. */
  check(username: string, address: string): Throttled | undefined {
    const now = this.now();
    const key = LoginThrottle.pair(username, address);
    const pair = this.pairs.get(key, now);
    if (pair && pair.blockedUntil > now) return { retryAfterMs: pair.blockedUntil - now, by: 'username' };
    const knownUntil = this.known.get(key);
    if (knownUntil !== undefined && knownUntil > now) return undefined;
    const addr = this.addresses.get(address, now);
    if (addr && addr.blockedUntil > now) return { retryAfterMs: addr.blockedUntil - now, by: 'address' };
    return undefined;
  }

  failed(username: string, address: string): void {
    this.count(username, address);
    this.share?.({ outcome: 'failed', username, address });
  }

  succeeded(username: string, address: string): void {
    this.forgive(username, address);
    this.share?.({ outcome: 'succeeded', username, address });
  }

  /** A check another session-service made: counted here as if made here (not told on). */
  apply(news: ThrottleNews): void {
    if (news.outcome === 'failed') this.count(news.username, news.address);
    else this.forgive(news.username, news.address);
  }

  private count(username: string, address: string): void {
    const now = this.now();
    const maxDelayMs = this.limits.maxDelaySeconds * 1000;
    this.pairs.fail(LoginThrottle.pair(username, address), now, this.limits.freeFailures, maxDelayMs);
    this.addresses.fail(address, now, this.limits.addressFreeFailures, maxDelayMs);
  }

  private forgive(username: string, address: string): void {
    const key = LoginThrottle.pair(username, address);
    this.pairs.reset(key);
    this.known.delete(key);
    this.known.set(key, this.now() + KNOWN_MS);
    trim(this.known);
  }

  /** Entries held (for tests and stats). */
  get size(): { pairs: number; addresses: number; known: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size, known: this.known.size };
  }
}

/**
 * Shares `throttle` with the other session-services on `subject` (core NATS, at most once: news
 * lost while NATS is away is not sent again, and a guess it concerned is still counted where it
 * was made). Each replica tells its checks and counts the others', ignoring its own.
 */
export function shareOverNats(
  throttle: LoginThrottle,
  nc: NatsConnection,
  subject: string,
  log: Logger,
): void {
  const origin = randomUUID();
  throttle.share = (news) => {
    try {
      nc.publish(subject, JSON.stringify({ ...news, origin }));
    } catch (err) {
      log.debug('login throttle news not published', { err });
    }
  };
  nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      let news: Partial<ThrottleNews> & { origin?: unknown };
      try {
        news = msg.json();
      } catch {
        log.warn('login throttle news is not JSON', { subject });
        return;
      }
      if (news.origin === origin) return;
      if (
        (news.outcome !== 'failed' && news.outcome !== 'succeeded') ||
        typeof news.username !== 'string' ||
        typeof news.address !== 'string'
      ) {
        log.warn('login throttle news not understood', { subject });
        return;
      }
      throttle.apply({ outcome: news.outcome, username: news.username, address: news.address });
      log.debug('login check counted from another session-service', { outcome: news.outcome });
    },
  });
}

/** The refusal's text: what happened and when to try again. */
export function throttledMessage(t: Throttled): string {
  const seconds = Math.max(1, Math.ceil(t.retryAfterMs / 1000));
  return t.by === 'username'
    ? `too many failed logins for this username from this address; try again in ${seconds} s`
    : `too many failed logins from this address; try again in ${seconds} s`;
}
