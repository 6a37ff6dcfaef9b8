// Session health (docs/json-api.md, sessionHealth): the pure evaluation shared by the gateways,
// which evaluate their live connections, and the session-service, which evaluates a session
// when it connects.

export type SessionHealth = 'healthy' | 'unhealthy' | 'offline';
export const SESSION_HEALTH_VALUES: readonly SessionHealth[] = ['healthy', 'unhealthy', 'offline'];

/** The five thresholds of a session; 0 means "not configured" and is left out of the evaluation. */
export interface HealthThresholds {
  minHealthySendRatePerMinute: number;
  maxHealthySendRatePerMinute: number;
  maxHealthyBacklogRatePerMinute: number;
  minHealthySubscribedTopicFiltersCount: number;
  maxHealthySubscribedTopicFiltersCount: number;
}

/** What the evaluation looks at: last-minute rates and the current subscription count. */
export interface HealthMeasures {
  connected: boolean;
  /** PUBLISH packets received from the client in the last 60 s. */
  publishRatePerMinute: number;
  /** Growth of the delivery backlog over the last 60 s (≥ 0). */
  deliveryBacklogRatePerMinute: number;
  subscribedTopicFiltersCount: number;
  /**
   * Messages dropped in the last 60 s because the client did not read them fast enough (its
   * outbound budget or its queue was full; docs/mqtt.md "Slow consumers"). Absent = 0.
   */
  slowConsumerDropsPerMinute?: number;
}

/** True when no threshold is configured (all five are 0). */
export function hasNoHealthThresholds(t: HealthThresholds): boolean {
  return (
    !t.minHealthySendRatePerMinute &&
    !t.maxHealthySendRatePerMinute &&
    !t.maxHealthyBacklogRatePerMinute &&
    !t.minHealthySubscribedTopicFiltersCount &&
    !t.maxHealthySubscribedTopicFiltersCount
  );
}

/** The thresholds a measure violates (names of the threshold properties), in a fixed order. */
export function healthViolations(t: HealthThresholds, m: HealthMeasures): (keyof HealthThresholds)[] {
  const out: (keyof HealthThresholds)[] = [];
  if (t.minHealthySendRatePerMinute > 0 && m.publishRatePerMinute < t.minHealthySendRatePerMinute)
    out.push('minHealthySendRatePerMinute');
  if (t.maxHealthySendRatePerMinute > 0 && m.publishRatePerMinute > t.maxHealthySendRatePerMinute)
    out.push('maxHealthySendRatePerMinute');
  if (
    t.maxHealthyBacklogRatePerMinute > 0 &&
    m.deliveryBacklogRatePerMinute > t.maxHealthyBacklogRatePerMinute
  )
    out.push('maxHealthyBacklogRatePerMinute');
  if (
    t.minHealthySubscribedTopicFiltersCount > 0 &&
    m.subscribedTopicFiltersCount < t.minHealthySubscribedTopicFiltersCount
  )
    out.push('minHealthySubscribedTopicFiltersCount');
  if (
    t.maxHealthySubscribedTopicFiltersCount > 0 &&
    m.subscribedTopicFiltersCount > t.maxHealthySubscribedTopicFiltersCount
  )
    out.push('maxHealthySubscribedTopicFiltersCount');
  return out;
}

/**
 * "offline" when not connected; otherwise "unhealthy" while the session dropped messages in the
 * last minute because it did not read them (whatever its thresholds), or when a configured
 * (non-zero) threshold is violated; else "healthy". A session without thresholds that reads what
 * it is sent is healthy whenever it is connected.
 */
export function evaluateHealth(t: HealthThresholds, m: HealthMeasures): SessionHealth {
  if (!m.connected) return 'offline';
  if ((m.slowConsumerDropsPerMinute ?? 0) > 0) return 'unhealthy';
  return healthViolations(t, m).length === 0 ? 'healthy' : 'unhealthy';
}
