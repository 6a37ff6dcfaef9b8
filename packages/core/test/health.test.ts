import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateHealth,
  hasNoHealthThresholds,
  healthViolations,
  type HealthMeasures,
  type HealthThresholds,
  type SessionHealth,
} from '../src/index';

const NONE: HealthThresholds = {
  minHealthySendRatePerMinute: 0,
  maxHealthySendRatePerMinute: 0,
  maxHealthyBacklogRatePerMinute: 0,
  minHealthySubscribedTopicFiltersCount: 0,
  maxHealthySubscribedTopicFiltersCount: 0,
};
const IDLE: HealthMeasures = {
  connected: true,
  publishRatePerMinute: 0,
  deliveryBacklogRatePerMinute: 0,
  subscribedTopicFiltersCount: 0,
};

const cases: [string, Partial<HealthThresholds>, Partial<HealthMeasures>, SessionHealth][] = [
  [
    'not connected is offline whatever the thresholds',
    { minHealthySendRatePerMinute: 5 },
    { connected: false },
    'offline',
  ],
  ['not connected without thresholds is offline', {}, { connected: false }, 'offline'],
  [
    'no thresholds: connected is healthy',
    {},
    { publishRatePerMinute: 1e6, subscribedTopicFiltersCount: 99 },
    'healthy',
  ],
  ['send rate below min', { minHealthySendRatePerMinute: 5 }, { publishRatePerMinute: 4 }, 'unhealthy'],
  ['send rate at min', { minHealthySendRatePerMinute: 5 }, { publishRatePerMinute: 5 }, 'healthy'],
  ['send rate at max', { maxHealthySendRatePerMinute: 5 }, { publishRatePerMinute: 5 }, 'healthy'],
  ['send rate above max', { maxHealthySendRatePerMinute: 5 }, { publishRatePerMinute: 10 }, 'unhealthy'],
  ['fractional max', { maxHealthySendRatePerMinute: 0.5 }, { publishRatePerMinute: 1 }, 'unhealthy'],
  ['backlog at max', { maxHealthyBacklogRatePerMinute: 3 }, { deliveryBacklogRatePerMinute: 3 }, 'healthy'],
  [
    'backlog above max',
    { maxHealthyBacklogRatePerMinute: 3 },
    { deliveryBacklogRatePerMinute: 4 },
    'unhealthy',
  ],
  ['filters below min', { minHealthySubscribedTopicFiltersCount: 1 }, {}, 'unhealthy'],
  [
    'filters at min',
    { minHealthySubscribedTopicFiltersCount: 1 },
    { subscribedTopicFiltersCount: 1 },
    'healthy',
  ],
  [
    'filters above max',
    { maxHealthySubscribedTopicFiltersCount: 2 },
    { subscribedTopicFiltersCount: 3 },
    'unhealthy',
  ],
  [
    'filters within min..max',
    { minHealthySubscribedTopicFiltersCount: 1, maxHealthySubscribedTopicFiltersCount: 2 },
    { subscribedTopicFiltersCount: 2 },
    'healthy',
  ],
  [
    'one violated threshold of several',
    { minHealthySendRatePerMinute: 1, maxHealthySubscribedTopicFiltersCount: 2 },
    { publishRatePerMinute: 3, subscribedTopicFiltersCount: 3 },
    'unhealthy',
  ],
  [
    'every threshold met',
    {
      minHealthySendRatePerMinute: 1,
      maxHealthySendRatePerMinute: 10,
      maxHealthyBacklogRatePerMinute: 5,
      minHealthySubscribedTopicFiltersCount: 1,
      maxHealthySubscribedTopicFiltersCount: 4,
    },
    { publishRatePerMinute: 3, deliveryBacklogRatePerMinute: 5, subscribedTopicFiltersCount: 4 },
    'healthy',
  ],
  [
    'slow consumer: dropped messages in the last minute, no thresholds',
    {},
    { slowConsumerDropsPerMinute: 1 },
    'unhealthy',
  ],
  [
    'slow consumer: dropped messages in the last minute, every threshold met',
    { maxHealthySendRatePerMinute: 10 },
    { publishRatePerMinute: 3, slowConsumerDropsPerMinute: 5 },
    'unhealthy',
  ],
  ['no drops in the last minute', {}, { slowConsumerDropsPerMinute: 0 }, 'healthy'],
  [
    'dropping and not connected is offline',
    {},
    { connected: false, slowConsumerDropsPerMinute: 9 },
    'offline',
  ],
];

describe('evaluateHealth', () => {
  for (const [name, thresholds, measures, expected] of cases) {
    it(name, () => {
      assert.equal(evaluateHealth({ ...NONE, ...thresholds }, { ...IDLE, ...measures }), expected);
    });
  }

  it('names the violated thresholds', () => {
    assert.deepEqual(
      healthViolations(
        { ...NONE, maxHealthySendRatePerMinute: 5, minHealthySubscribedTopicFiltersCount: 1 },
        { ...IDLE, publishRatePerMinute: 10 },
      ),
      ['maxHealthySendRatePerMinute', 'minHealthySubscribedTopicFiltersCount'],
    );
  });

  it('knows when no threshold is set', () => {
    assert.equal(hasNoHealthThresholds(NONE), true);
    assert.equal(hasNoHealthThresholds({ ...NONE, maxHealthyBacklogRatePerMinute: 1 }), false);
  });
});
