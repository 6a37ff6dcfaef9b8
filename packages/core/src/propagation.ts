// Alteration propagation, fleet-wide (docs/operations.md, "Alteration propagation"): each
// connection-gateway measures, for every administrator's alteration (altered event, or a session
// of a bulkAltered part) that it puts in force on a live connection, the time from the event's
// `at` (when the session-service wrote the alteration) to the moment the new version is in force
// on the connection. It sends what it measured since its previous heartbeat, as counts per
// bucket, in its heartbeat; the session-service merges the reports of a window (gateways.ts) and
// the JSON action describeAlterationPropagation returns the merged numbers.
/**
 * Upper bounds (ms) of the buckets of a propagation report; a last bucket counts what is above
 * the last bound. Roughly 25 % apart, so a quantile read from them is within a quarter of the
 * true value.
 */
export const PROPAGATION_BOUNDS_MS = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600,
  800, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10_000, 15_000, 20_000, 30_000, 60_000,
];

/** What one gateway measured over one heartbeat interval. */
export interface PropagationReport {
  /** Alterations measured. */
  count: number;
  sumMs: number;
  maxMs: number;
  /** Per bucket of PROPAGATION_BOUNDS_MS, then the one above the last bound. */
  buckets: number[];
}

/** Collects measurements between two heartbeats. */
export class PropagationRecorder {
  private report = emptyReport();

  record(ms: number): void {
    const value = Math.max(0, ms);
    const r = this.report;
    r.count += 1;
    r.sumMs += value;
    if (value > r.maxMs) r.maxMs = value;
    let i = PROPAGATION_BOUNDS_MS.findIndex((bound) => value <= bound);
    if (i < 0) i = PROPAGATION_BOUNDS_MS.length;
    r.buckets[i] = (r.buckets[i] ?? 0) + 1;
  }

  /** What was measured since the last call, undefined when nothing was; starts over. */
  take(): PropagationReport | undefined {
    if (this.report.count === 0) return undefined;
    const taken = this.report;
    this.report = emptyReport();
    return taken;
  }
}

export function emptyReport(): PropagationReport {
  return { count: 0, sumMs: 0, maxMs: 0, buckets: PROPAGATION_BOUNDS_MS.map(() => 0).concat(0) };
}

/** Whether a heartbeat's report is usable (it comes from another process). */
export function isPropagationReport(value: unknown): value is PropagationReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as PropagationReport;
  return (
    Number.isFinite(r.count) &&
    r.count >= 0 &&
    Number.isFinite(r.sumMs) &&
    Number.isFinite(r.maxMs) &&
    Array.isArray(r.buckets) &&
    r.buckets.length === PROPAGATION_BOUNDS_MS.length + 1 &&
    r.buckets.every((n) => Number.isFinite(n) && n >= 0)
  );
}

/** Adds b to a (a changes). */
export function mergeReport(a: PropagationReport, b: PropagationReport): PropagationReport {
  a.count += b.count;
  a.sumMs += b.sumMs;
  a.maxMs = Math.max(a.maxMs, b.maxMs);
  for (let i = 0; i < a.buckets.length; i++) a.buckets[i] = (a.buckets[i] ?? 0) + (b.buckets[i] ?? 0);
  return a;
}

/**
 * The q-quantile (0 < q <= 1) of a report as the upper bound of the bucket it falls in, never
 * above the largest measurement; undefined for an empty report.
 */
export function reportQuantileMs(r: PropagationReport, q: number): number | undefined {
  if (r.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * r.count));
  let seen = 0;
  for (let i = 0; i < r.buckets.length; i++) {
    seen += r.buckets[i] ?? 0;
    if (seen >= rank) return Math.min(PROPAGATION_BOUNDS_MS[i] ?? r.maxMs, r.maxMs);
  }
  return r.maxMs;
}
