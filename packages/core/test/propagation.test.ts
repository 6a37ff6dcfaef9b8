import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyReport,
  isPropagationReport,
  mergeReport,
  PROPAGATION_BOUNDS_MS,
  PropagationRecorder,
  reportQuantileMs,
} from '../src/index';

// The reports gateways put in their heartbeats and the session-service merges (propagation.ts).
describe('alteration propagation reports', () => {
  it('a recorder counts per bucket and starts over when taken', () => {
    const r = new PropagationRecorder();
    assert.equal(r.take(), undefined, 'nothing measured, nothing to report');
    for (const ms of [0.4, 1, 1.5, 7, 70_000, -3]) r.record(ms);
    const report = r.take()!;
    assert.equal(report.count, 6);
    assert.equal(report.maxMs, 70_000);
    assert.equal(report.sumMs, 0.4 + 1 + 1.5 + 7 + 70_000, 'a negative time (clocks apart) counts as 0');
    assert.equal(report.buckets.length, PROPAGATION_BOUNDS_MS.length + 1);
    assert.equal(report.buckets[0], 3, '≤ 1 ms: 0.4, 1 and the negative one');
    assert.equal(report.buckets[1], 1, '≤ 2 ms: 1.5');
    assert.equal(report.buckets[PROPAGATION_BOUNDS_MS.indexOf(8)], 1, '≤ 8 ms: 7');
    assert.equal(report.buckets.at(-1), 1, 'above the last bound: 70 s');
    assert.ok(isPropagationReport(report));
    assert.equal(r.take(), undefined, 'taken: it starts over');
  });

  it('merged reports give quantiles as bucket bounds, never above the largest time', () => {
    const a = new PropagationRecorder();
    for (let i = 0; i < 90; i++) a.record(4);
    const b = new PropagationRecorder();
    for (let i = 0; i < 9; i++) b.record(45);
    b.record(47);
    const merged = mergeReport(mergeReport(emptyReport(), a.take()!), b.take()!);
    assert.equal(merged.count, 100);
    assert.equal(reportQuantileMs(merged, 0.5), 4);
    assert.equal(reportQuantileMs(merged, 0.9), 4);
    assert.equal(reportQuantileMs(merged, 0.91), 47, 'the 50 ms bucket, capped at the largest time');
    assert.equal(reportQuantileMs(merged, 1), 47);
    assert.equal(reportQuantileMs(emptyReport(), 0.5), undefined);
  });

  it('refuses reports that are not of this shape', () => {
    assert.equal(isPropagationReport(undefined), false);
    assert.equal(isPropagationReport({ count: 1, sumMs: 1, maxMs: 1, buckets: [1] }), false);
    const wrong = { ...emptyReport(), count: Number.NaN };
    assert.equal(isPropagationReport(wrong), false);
    assert.equal(isPropagationReport(emptyReport()), true);
  });
});
