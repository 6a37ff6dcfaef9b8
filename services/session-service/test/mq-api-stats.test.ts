// The statistics of MQ API sessions computed from their stored counts (mq-api-stats.ts): the
// windows over per-minute buckets and the growth of the backlog against earlier measurements.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '@mqfleet/core';
import {
  backlogReference,
  mqApiHealth,
  mqApiStats,
  type MinuteRow,
  type MqApiStatsInput,
} from '../src/mq-api-stats';

const MINUTE = 60_000;
/** 30 s into a minute, an hour after creation. */
const NOW = Date.UTC(2026, 11, 3, 12, 0, 30);
const CREATED = NOW - 60 * MINUTE;
const minuteOf = (t: number): number => t - (t % MINUTE);

function input(minutes: Partial<MinuteRow>[], extra: Partial<MqApiStatsInput> = {}): MqApiStatsInput {
  return {
    createdAt: CREATED,
    published: 0,
    received: 0,
    firstPublished: 0,
    lastPublished: 0,
    firstReceived: 0,
    lastReceived: 0,
    minutes: minutes.map((m) => ({
      minute: 0,
      published: 0,
      received: 0,
      backlog: null,
      backlogAt: 0,
      ...m,
    })),
    subscribedTopicFiltersCount: 0,
    backlog: 0,
    ...extra,
  };
}

describe('MQ API session statistics', () => {
  test('rates: the last minute takes the part of the previous minute still within 60 s', () => {
    const now = minuteOf(NOW);
    const stats = mqApiStats(
      input(
        [
          { minute: now, published: 10, received: 1 },
          { minute: now - MINUTE, published: 20, received: 4 },
          { minute: now - 5 * MINUTE, published: 30 },
          { minute: now - 30 * MINUTE, published: 40 },
          { minute: now - 60 * MINUTE, published: 50 },
        ],
        { published: 150, received: 5 },
      ),
      NOW,
    );
    assert.equal(stats.publishRatePerMinute, 20, '10 + half of 20');
    assert.equal(stats.receiveMessagesPerMinute, 3, '1 + half of 4');
    assert.equal(stats.publishRatePerMinuteLast10Minutes, 6, '(10 + 20 + 30) / 10');
    assert.equal(stats.publishRatePerHour, 100, 'the minute 60 minutes back is out');
    assert.equal(stats.publishRatePerMinuteInSession, 2.5, '150 / 60 minutes');
    assert.equal(stats.totalMessagesPublished, 150);
    assert.equal(stats.currentOutboundBytes, 0);
    assert.equal(stats.totalMessagesDropped, 0);
    assert.equal(stats.connectedSince, new Date(CREATED).toISOString());
  });

  test('a session younger than the windows divides by at least one minute', () => {
    const stats = mqApiStats(
      input([{ minute: minuteOf(NOW), published: 7 }], { createdAt: NOW - 10_000, published: 7 }),
      NOW,
    );
    assert.equal(stats.publishRatePerMinuteLast10Minutes, 7);
    assert.equal(stats.publishRatePerMinuteInSession, 7);
  });

  test('backlog growth: against the latest measurement at least a minute old, per minute', () => {
    const at90 = NOW - 90_000;
    const at20 = NOW - 20_000;
    const rows = [
      { minute: minuteOf(at90), backlog: 4, backlogAt: at90 },
      { minute: minuteOf(at20), backlog: 30, backlogAt: at20 },
    ];
    assert.deepEqual(backlogReference(input(rows), MINUTE, NOW), { backlog: 4, at: at90 });
    const stats = mqApiStats(input(rows, { backlog: 19 }), NOW);
    assert.equal(stats.currentDeliveryBacklogged, 19);
    assert.equal(stats.deliveryBacklogRatePerMinute, 10, '(19 - 4) over 1.5 minutes');
    // No measurement 10 minutes old, the session an hour old: against the oldest there is.
    assert.equal(stats.deliveryBacklogRatePerMinuteLast10Minutes, 10);
    // A shrinking backlog does not grow.
    assert.equal(mqApiStats(input(rows, { backlog: 2 }), NOW).deliveryBacklogRatePerMinute, 0);
  });

  test('backlog growth: a young session grows from 0 at its creation; one never measured, not at all', () => {
    const young = input([], { createdAt: NOW - 20_000, backlog: 5 });
    assert.deepEqual(backlogReference(young, MINUTE, NOW), { backlog: 0, at: NOW - 20_000 });
    assert.equal(mqApiStats(young, NOW).deliveryBacklogRatePerMinute, 5);
    assert.equal(mqApiStats(young, NOW).deliveryBacklogRatePerDay, 5);
    assert.equal(mqApiStats(input([], { backlog: 5 }), NOW).deliveryBacklogRatePerMinute, 0);
  });

  test('health: offline unless active; otherwise the thresholds', () => {
    const stats = mqApiStats(
      input([{ minute: minuteOf(NOW), published: 3 }], { subscribedTopicFiltersCount: 1 }),
      NOW,
    );
    const settings = { ...DEFAULT_SETTINGS, minHealthySendRatePerMinute: 5 };
    assert.equal(mqApiHealth(settings, false, stats), 'offline');
    assert.equal(mqApiHealth(settings, true, stats), 'unhealthy');
    assert.equal(mqApiHealth({ ...settings, minHealthySendRatePerMinute: 3 }, true, stats), 'healthy');
    assert.equal(
      mqApiHealth({ ...DEFAULT_SETTINGS, maxHealthyBacklogRatePerMinute: 1 }, true, stats),
      'healthy',
    );
  });
});
