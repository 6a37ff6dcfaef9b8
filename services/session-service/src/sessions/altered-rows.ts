// Rows an alteration wrote, remembered (bounded) so that the next alteration of the same session
// need not read it again: checked by version and xmin in the write.
import type { Subscription__Output } from '@mqfleet/proto';
import { SessionRow } from './rows';

/** Sessions whose row an alteration remembers (the least recently altered go first)... */
export const ALTERED_ROWS_MAX = 4096;

/** ...within this many bytes of settings and subscriptions (estimated)... */
export const ALTERED_ROWS_BYTES = 16 * 1024 * 1024;

/** ...and none larger than this (two 65,500-byte wills make a row of ~175 KB). */
export const ALTERED_ROW_MAX_BYTES = 64 * 1024;

/** A session row as this process last wrote it, with its subscriptions and tuple id (xmin). */
export interface RememberedRow {
  row: SessionRow;
  subs: Subscription__Output[];
  xmin: string;
}

/**
 * The rows of recently altered sessions, so that altering one again needs no read: the
 * alteration's write only lands where the row is still the remembered one (same version AND same
 * xmin, the id of the transaction that wrote the row's current tuple, which every UPDATE changes:
 * a health report or a failed connection attempt, which leave the version alone, change it too).
 * A write that finds the row changed comes back as RETRY and is decided again on a fresh read,
 * so a stale entry costs one wasted write, never a wrong result, across any number of
 * session-service instances. Bounded, least recently used out first.
 */
export class AlteredRows {
  private readonly rows = new Map<string, RememberedRow & { bytes: number }>();
  /** Estimated size of what is remembered (settings JSON and subscriptions). */
  private bytes = 0;

  get(hex: string): RememberedRow | undefined {
    const found = this.rows.get(hex);
    if (found) {
      this.rows.delete(hex);
      this.rows.set(hex, found);
    }
    return found;
  }

  set(hex: string, remembered: RememberedRow): void {
    this.delete(hex);
    let bytes = JSON.stringify(remembered.row.settings).length;
    for (const sub of remembered.subs) bytes += sub.topicFilter.length + 64;
    // A session with large wills or many subscriptions is read each time instead.
    if (bytes > ALTERED_ROW_MAX_BYTES) return;
    this.rows.set(hex, { ...remembered, bytes });
    this.bytes += bytes;
    while (this.rows.size > ALTERED_ROWS_MAX || this.bytes > ALTERED_ROWS_BYTES) {
      this.delete(this.rows.keys().next().value!);
    }
  }

  delete(hex: string): void {
    const found = this.rows.get(hex);
    if (!found) return;
    this.rows.delete(hex);
    this.bytes -= found.bytes;
  }

  get size(): { rows: number; bytes: number } {
    return { rows: this.rows.size, bytes: this.bytes };
  }
}
