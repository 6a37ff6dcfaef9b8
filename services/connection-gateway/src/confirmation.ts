// What an acknowledgement owed to a client waits for (docs/mqtt.md, "Acknowledged means stored").
// A QoS 1/2 PUBLISH is acknowledged (PUBACK / PUBREC) only once every copy the broker owes is safe:
// handed to the local subscribers (synchronous), accepted by NATS for the other gateways (a flush
// after the publish: the server answered PONG after reading it), stored by JetStream for offline
// sessions and retained messages (its PubAck). A SUBSCRIBE is acknowledged once its NATS interest
// is known to the server. Each of those is one part of a Confirmation; the owner's callback runs
// when the last part is done, with the reason code of the first failure (0: every part succeeded).
import { ReasonCode } from './reason-codes';

export class Confirmation {
  /** Parts not done yet, plus one hold that seal() releases (no callback before every part is known). */
  private remaining = 1;
  /** 0, or the MQTT 5 reason code of the first part that failed. */
  code = 0;

  constructor(private readonly onSettled: () => void) {}

  /** One more part must be done before the acknowledgement. */
  expect(): void {
    this.remaining++;
  }

  /** A part is done; `code` non-zero when it failed (the first failure is kept). */
  done(code = 0): void {
    if (code !== 0 && this.code === 0) this.code = code;
    if (--this.remaining === 0) this.onSettled();
  }

  /** Every part has been registered: the confirmation may settle from now on. */
  seal(): void {
    this.done();
  }

  get settled(): boolean {
    return this.remaining === 0;
  }
}

/** Waits for one promise as a part of a confirmation: rejected or false is `failure`. */
export function confirmWith(
  confirmation: Confirmation | undefined,
  work: Promise<unknown>,
  failure: (err?: unknown) => number,
): void {
  if (!confirmation) return;
  confirmation.expect();
  work.then(
    (ok) => confirmation.done(ok === false ? failure() : 0),
    (err: unknown) => confirmation.done(failure(err)),
  );
}

/** Waits for a promise of a reason code (0: success) as a part of a confirmation. */
export function confirmCode(confirmation: Confirmation | undefined, work: Promise<number>): void {
  if (!confirmation) return;
  confirmation.expect();
  work.then(
    (code) => confirmation.done(code),
    () => confirmation.done(ReasonCode.UNSPECIFIED_ERROR),
  );
}
