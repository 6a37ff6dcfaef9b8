import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectionStatsTracker,
  MAX_PUBLISHED_TOPIC_BYTES,
  MAX_PUBLISHED_TOPICS,
  PublishedTopics,
  Ring,
} from '../src/stats';

describe('connection statistics', () => {
  it('a ring sums the last size buckets and forgets older ones', () => {
    const ring = new Ring(60, 1000);
    const t0 = 1_000_000_000;
    ring.add(t0, 3);
    ring.add(t0 + 30_000, 2);
    assert.equal(ring.sum(t0 + 30_000), 5);
    assert.equal(ring.sumLast(t0 + 30_000, 1), 2);
    assert.equal(ring.sum(t0 + 60_000), 2, 'the first bucket left the window');
    assert.equal(ring.sum(t0 + 10 * 60_000), 0, 'a long gap clears everything');
  });

  it('counts, rates, backlog growth and timestamps', () => {
    const t0 = 1_700_000_000_000;
    const stats = new ConnectionStatsTracker(t0);
    for (let i = 0; i < 10; i++) stats.published.add(t0 + i * 1000);
    stats.received.add(t0 + 5000);
    stats.backlogIs(4, t0 + 1000);
    stats.backlogIs(1, t0 + 2000);
    stats.backlogIs(3, t0 + 3000);
    let s = stats.snapshot(2, t0 + 10_000);
    assert.equal(s.totalMessagesPublished, 10);
    assert.equal(s.publishRatePerMinute, 10);
    assert.equal(s.publishRatePerMinuteInSession, 10, 'a connection younger than a minute counts as one');
    assert.equal(s.totalMessagesReceived, 1);
    assert.equal(s.currentDeliveryBacklogged, 3);
    assert.equal(s.deliveryBacklogRatePerMinute, 3);
    assert.equal(s.subscribedTopicFiltersCount, 2);
    assert.equal(s.firstMessagePublishedOn, new Date(t0).toISOString());
    assert.equal(s.lastMessagePublishedOn, new Date(t0 + 9000).toISOString());
    assert.equal(s.firstMessageReceivedOn, new Date(t0 + 5000).toISOString());
    // Two minutes later: nothing in the last minute; the backlog did not grow.
    s = stats.snapshot(2, t0 + 120_000);
    assert.equal(s.publishRatePerMinute, 0);
    assert.equal(s.publishRatePerHour, 10);
    assert.equal(s.publishRatePerMinuteLast10Minutes, 5);
    assert.equal(s.deliveryBacklogRatePerMinute, 0);
    assert.equal(s.deliveryBacklogRatePerHour, 3);
    // A shrinking backlog is growth 0, never negative.
    stats.backlogIs(0, t0 + 121_000);
    assert.equal(stats.backlogRatePerMinute(t0 + 121_000), 0);
  });
});

describe('published topics of a connection', () => {
  it('keeps the most recently published distinct topics, with counts, most recent first', () => {
    const t0 = 1_700_000_000_000;
    const stats = new ConnectionStatsTracker(t0);
    stats.publishedTo('a/1', t0);
    stats.publishedTo('b/2', t0 + 1000);
    stats.publishedTo('a/1', t0 + 2000);
    assert.equal(stats.snapshot(0, t0 + 3000).totalMessagesPublished, 3);
    assert.deepEqual(stats.publishedTopics.list(), [
      { topic: 'a/1', totalMessagesPublished: 2, lastMessagePublishedOn: new Date(t0 + 2000).toISOString() },
      { topic: 'b/2', totalMessagesPublished: 1, lastMessagePublishedOn: new Date(t0 + 1000).toISOString() },
    ]);
  });

  it('is bounded by topic count and by bytes of topic names; the least recent goes first', () => {
    const byCount = new PublishedTopics(3, 1_000_000);
    for (const t of ['t1', 't2', 't3', 't1', 't4']) byCount.add(t, 1);
    assert.deepEqual(
      byCount.list().map((e) => e.topic),
      ['t4', 't1', 't3'],
    );
    const byBytes = new PublishedTopics(100, 10);
    byBytes.add('aaaa', 1);
    byBytes.add('bbbb', 2);
    byBytes.add('cccc', 3); // 12 bytes > 10: aaaa is forgotten
    assert.deepEqual(
      byBytes.list().map((e) => e.topic),
      ['cccc', 'bbbb'],
    );
    byBytes.add('x'.repeat(11), 4); // longer than the whole budget: not kept, nothing evicted
    assert.equal(byBytes.size, 2);
    const defaults = new PublishedTopics();
    for (let i = 0; i < MAX_PUBLISHED_TOPICS + 50; i++) defaults.add(`t/${i}`, i);
    assert.equal(defaults.size, MAX_PUBLISHED_TOPICS);
    const big = new PublishedTopics();
    for (let i = 0; i < 5; i++) big.add(`${i}${'x'.repeat(30_000)}`, i);
    assert.ok(big.size <= Math.floor(MAX_PUBLISHED_TOPIC_BYTES / 30_000));
  });
});
