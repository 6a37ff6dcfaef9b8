// TopicCounts: the gateway's per-topic message counts between two reports (topic-counts.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TopicCounts } from '../src/topic-counts';

describe('TopicCounts', () => {
  it('counts messages per topic with the first and last time, and starts again after a take', () => {
    const counts = new TopicCounts(10);
    counts.add('a/b', 1000);
    counts.add('c', 1500);
    counts.add('a/b', 2000);
    assert.equal(counts.size, 2);
    assert.deepEqual(counts.take('gw-1'), [
      {
        gatewayId: 'gw-1',
        topics: [
          ['a/b', 2, 1000, 2000],
          ['c', 1, 1500, 1500],
        ],
      },
    ]);
    assert.equal(counts.size, 0);
    assert.deepEqual(counts.take('gw-1'), [], 'nothing counted: no report');
    counts.add('a/b', 3000);
    assert.deepEqual(counts.take('gw-1')[0]!.topics, [['a/b', 1, 3000, 3000]]);
  });

  it('counts no further topic past its bound of topics or characters, and reports how many messages it left', () => {
    const counts = new TopicCounts(2);
    counts.add('a', 1);
    counts.add('b', 1);
    counts.add('c', 1);
    counts.add('c', 2);
    counts.add('a', 3);
    const [report] = counts.take('gw');
    assert.deepEqual(report!.topics, [
      ['a', 2, 1, 3],
      ['b', 1, 1, 1],
    ]);
    assert.equal(report!.uncounted, 2);
    const byChars = new TopicCounts(100, 10);
    byChars.add('12345', 1);
    byChars.add('123456', 1);
    byChars.add('12345', 2);
    const [r] = byChars.take('gw');
    assert.deepEqual(r!.topics, [['12345', 2, 1, 2]]);
    assert.equal(r!.uncounted, 1);
    // The bound is per report: after a take there is room again.
    byChars.add('123456', 3);
    assert.deepEqual(byChars.take('gw')[0]!.topics, [['123456', 1, 3, 3]]);
  });

  it('splits a large take into reports of bounded size, every topic once', () => {
    const counts = new TopicCounts(100_000, 64 * 1024 * 1024);
    const long = 'x'.repeat(1000);
    for (let i = 0; i < 2000; i++) counts.add(`${long}/${i}`, i);
    const reports = counts.take('gw');
    assert.ok(reports.length >= 7, `${reports.length} reports`);
    for (const r of reports) assert.ok(JSON.stringify(r).length < 400 * 1024);
    const topics = reports.flatMap((r) => r.topics.map((t) => t[0]));
    assert.equal(new Set(topics).size, 2000);
  });
});
