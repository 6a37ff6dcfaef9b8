// Keep-alive enforcement: if nothing arrives from the client within one and a half times the
// keep-alive, the server closes the connection [MQTT-3.1.2-24]. 0 = no timeout [MQTT-3.1.2-23 note].

export class KeepAliveTimer {
  private timer: NodeJS.Timeout | undefined;
  private seconds = 0;

  constructor(private readonly onExpire: () => void) {}

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
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    if (this.seconds > 0) {
      this.timer = setTimeout(this.onExpire, this.seconds * 1500);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
