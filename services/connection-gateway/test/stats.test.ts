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

  it('counts drops by reason; slow-consumer drops of the last minute (health) leave the window after 60 s', () => {
    const t0 = 1_700_000_000_000;
    const stats = new ConnectionStatsTracker(t0);
    stats.droppedSlow('outboundBudget', 1, t0 + 1000);
    stats.droppedSlow('outboundBudget', 4, t0 + 2000);
    stats.droppedSlow('queueFull', 2, t0 + 30_000);
    stats.dropped.expired++;
    stats.dropped.packetTooLarge += 3;
    let s = stats.snapshot(1, t0 + 30_000, { outboundBytes: 70_000, queuedMessages: 5, queuedBytes: 5120 });
    assert.deepEqual(s.messagesDropped, { outboundBudget: 5, queueFull: 2, packetTooLarge: 3, expired: 1 });
    assert.equal(s.totalMessagesDropped, 11);
    assert.equal(s.slowConsumerDropsPerMinute, 7, 'expired and too large are not slow-consumer drops');
    assert.equal(s.currentOutboundBytes, 70_000);
    assert.equal(s.currentQueuedMessages, 5);
    assert.equal(s.currentQueuedBytes, 5120);
    // 60 s after the first drops only the queueFull ones remain in the window …
    s = stats.snapshot(1, t0 + 62_000);
    assert.equal(s.slowConsumerDropsPerMinute, 2);
    // … and 60 s after the last one none: the totals stay.
    s = stats.snapshot(1, t0 + 91_000);
    assert.equal(s.slowConsumerDropsPerMinute, 0);
    assert.equal(s.totalMessagesDropped, 11);
    assert.equal(s.currentOutboundBytes, 0);
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
