// How many connections a gateway holds, and how fast they may come (issue 15):
// MQFLEET_MAX_CONNECTIONS in all, MQFLEET_MAX_CONNECTIONS_PER_ADDRESS open at once from one
// address, MQFLEET_CONNECT_RATE new connections a second in all and
// MQFLEET_CONNECT_RATE_PER_ADDRESS from one address (token buckets holding a second's worth, so a
// burst of that size passes; a connection refused by its address's rate takes nothing from the
// gateway's). A connection over a limit is
// never given a session: index.ts answers its CONNECT with a refusing CONNACK (MQTT 5 0x97 Quota
// exceeded for the connection counts, 0x9F Connection rate exceeded for the rate; 3.1.1 return
// code 3, server unavailable) and closes it, or closes it at once when too many refused
// connections are already waiting for their CONNECT. 0 turns a limit off.
import { ReasonCode, ReturnCode } from './reason-codes';

export interface ConnectionLimitSettings {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  connectRate: number;
  connectRatePerAddress: number;
}

export type LimitRefusal =
  'maxConnections' | 'maxConnectionsPerAddress' | 'connectRate' | 'connectRatePerAddress';

/** What a refused connection's CONNECT is answered with. */
export const REFUSAL_CODES: Record<LimitRefusal, { v4: number; v5: number; reason: string }> = {
  maxConnections: {
    v4: ReturnCode.SERVER_UNAVAILABLE,
    v5: ReasonCode.QUOTA_EXCEEDED,
    reason: 'the gateway holds its maximum of connections (MQFLEET_MAX_CONNECTIONS)',
  },
  maxConnectionsPerAddress: {
    v4: ReturnCode.SERVER_UNAVAILABLE,
    v5: ReasonCode.QUOTA_EXCEEDED,
    reason: 'too many connections from this address (MQFLEET_MAX_CONNECTIONS_PER_ADDRESS)',
  },
  connectRate: {
    v4: ReturnCode.SERVER_UNAVAILABLE,
    v5: ReasonCode.CONNECTION_RATE_EXCEEDED,
    reason: 'connections come to this gateway too fast (MQFLEET_CONNECT_RATE)',
  },
  connectRatePerAddress: {
    v4: ReturnCode.SERVER_UNAVAILABLE,
    v5: ReasonCode.CONNECTION_RATE_EXCEEDED,
    reason: 'connections from this address come too fast (MQFLEET_CONNECT_RATE_PER_ADDRESS)',
  },
};

/** Buckets kept before the full ones (which say nothing) are swept. */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class ConnectionLimits {
  private open = 0;
  /** Open connections by address. */
  private readonly byAddress = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  /** The gateway's bucket (MQFLEET_CONNECT_RATE). */
  private readonly all: Bucket;
  /** Connections refused, by limit, since the start. */
  readonly refused: Record<LimitRefusal, number> = {
    maxConnections: 0,
    maxConnectionsPerAddress: 0,
    connectRate: 0,
    connectRatePerAddress: 0,
  };

  constructor(
    private readonly settings: ConnectionLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.all = { tokens: settings.connectRate, at: now() };
  }

  /**
   * A new connection from `address`: undefined when it is admitted (and counted until release),
   * otherwise the limit it is over (and it is not counted).
   */
  admit(address: string): LimitRefusal | undefined {
    const { maxConnections, maxConnectionsPerAddress, connectRate, connectRatePerAddress } = this.settings;
    let refusal: LimitRefusal | undefined;
    if (maxConnections > 0 && this.open >= maxConnections) refusal = 'maxConnections';
    else if (maxConnectionsPerAddress > 0 && (this.byAddress.get(address) ?? 0) >= maxConnectionsPerAddress)
      refusal = 'maxConnectionsPerAddress';
    else if (connectRatePerAddress > 0 && !this.take(address, connectRatePerAddress))
      refusal = 'connectRatePerAddress';
    else if (connectRate > 0 && !this.takeFrom(this.all, connectRate, this.now())) refusal = 'connectRate';
    if (refusal) {
      this.refused[refusal] += 1;
      return refusal;
    }
    this.open += 1;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    return undefined;
  }

  /** An admitted connection ended. */
  release(address: string): void {
    this.open -= 1;
    const n = (this.byAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, n);
  }

  /**
   * Whether admit needs the peer's address: reading it is a system call per connection
   * (getpeername), which a gateway without per-address limits saves.
   */
  get perAddress(): boolean {
    return this.settings.maxConnectionsPerAddress > 0 || this.settings.connectRatePerAddress > 0;
  }

  get refusedTotal(): number {
    return (
      this.refused.maxConnections +
      this.refused.maxConnectionsPerAddress +
      this.refused.connectRate +
      this.refused.connectRatePerAddress
    );
  }

  private take(address: string, rate: number): boolean {
    const now = this.now();
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.sweep(now, rate);
      bucket = { tokens: rate, at: now };
      this.buckets.set(address, bucket);
    }
    return this.takeFrom(bucket, rate, now);
  }

  /** One token from a bucket refilled at `rate` a second up to `rate`; false when it has none. */
  private takeFrom(bucket: Bucket, rate: number, now: number): boolean {
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops the buckets that have filled up again: they hold nothing a new one would not. */
  private sweep(now: number, rate: number): void {
    for (const [address, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * rate >= rate) this.buckets.delete(address);
    }
  }
}
