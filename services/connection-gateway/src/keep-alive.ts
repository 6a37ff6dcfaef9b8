// Keep-alive enforcement: if nothing arrives from the client within one and a half times the
// keep-alive, the server closes the connection [MQTT-3.1.2-24]. 0 = no timeout [MQTT-3.1.2-23 note].

/** What a keep-alive timer tells when its client was idle too long. */
export interface KeepAliveOwner {
  onKeepAliveExpired(): void;
}

/** How often idle connections are looked for: a timeout fires at most this much late. */
const TICK_MS = 250;
/** Every running keep-alive timer of the process, looked at once per tick. */
const running = new Set<KeepAliveTimer>();
let ticker: NodeJS.Timeout | undefined;

function tick(): void {
  const now = Date.now();
  for (const timer of running) {
    if (timer.deadline > now) continue;
    running.delete(timer);
    timer.owner.onKeepAliveExpired();
  }
  if (running.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/**
 * A connection's keep-alive: a deadline that each packet moves, checked by one interval for the
 * whole process instead of a Node.js Timeout per connection (with its closure, about 220 bytes of
 * every idle connection; bench/mqtt-load.ts idle-memory) and a timer refresh per packet.
 */
export class KeepAliveTimer {
  /** When the client has been idle too long (ms since the epoch); 0 while stopped. */
  deadline = 0;
  private seconds = 0;

  constructor(readonly owner: KeepAliveOwner) {}

  /** Uses a new keep-alive from now on (a changed session setting restarts the timer). */
  set(seconds: number): void {
    this.stop();
    this.seconds = seconds;
    this.touch();
  }

  get keepAliveSeconds(): number {
    return this.seconds;
  }

  /** A control packet arrived: the idle period starts again. */
  touch(): void {
    if (this.seconds === 0) return;
    this.deadline = Date.now() + this.seconds * 1500;
    if (running.has(this)) return;
    running.add(this);
    if (!ticker) {
      ticker = setInterval(tick, TICK_MS);
      ticker.unref();
    }
  }

  stop(): void {
    running.delete(this);
    this.deadline = 0;
  }
}

/**
 * Whether a keep alive is beyond the broker's maximum (MQFLEET_MAX_KEEP_ALIVE; 0 = none): above
 * it, or 0 ("no keep alive") while there is one.
 */
export function beyondMaxKeepAlive(keepAliveSeconds: number, max: number): boolean {
  return max > 0 && (keepAliveSeconds === 0 || keepAliveSeconds > max);
}

/** The keep alive in force: the maximum replaces one beyond it [MQTT-3.2.2-21]. */
export function keepAliveInForce(keepAliveSeconds: number, max: number): number {
  return beyondMaxKeepAlive(keepAliveSeconds, max) ? max : keepAliveSeconds;
}
