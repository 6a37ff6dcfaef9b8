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
