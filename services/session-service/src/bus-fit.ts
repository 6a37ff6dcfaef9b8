// What the session-service refuses so that a session's state stays within what the bus and the
// gateways can carry (packages/core/src/bus-limits.ts, docs/mqtt.md "Limits of the message bus"):
// a will topic or a subscription whose NATS subject would not fit nats-server's control line, and
// subscriptions beyond the session's bound. A client's own SUBSCRIBE is checked by its gateway.
import {
  DEFAULT_MAX_SUBSCRIPTION_BYTES,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_NATS_MAX_CONTROL_LINE,
  DEFAULT_NATS_PREFIX,
  filterSubjectProblem,
  limitExceeded,
  subjectBudget,
  tooLarge,
  topicSubjectProblem,
  type Config,
  type SubscriptionBound,
} from '@mqfleet/core';
import type { SessionPatch, Subscription__Output } from '@mqfleet/proto';

export interface StoreLimits extends SubscriptionBound {
  /** Bytes a mapped topic or filter subject may have (subjectBudget). */
  subjectBudget: number;
}

export function storeLimits(
  config: Pick<Config, 'natsPrefix' | 'natsMaxControlLine' | 'maxSubscriptions' | 'maxSubscriptionBytes'>,
): StoreLimits {
  return {
    subjectBudget: subjectBudget(config.natsPrefix, config.natsMaxControlLine),
    maxCount: config.maxSubscriptions,
    maxBytes: config.maxSubscriptionBytes,
  };
}

export const DEFAULT_STORE_LIMITS = storeLimits({
  natsPrefix: DEFAULT_NATS_PREFIX,
  natsMaxControlLine: DEFAULT_NATS_MAX_CONTROL_LINE,
  maxSubscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
  maxSubscriptionBytes: DEFAULT_MAX_SUBSCRIPTION_BYTES,
});

/** A will topic (alterMqSession, alterMqSessions) must be publishable on the bus. */
export function checkPatchFits(patch: SessionPatch, limits: StoreLimits): void {
  const topic = patch.willTopic;
  if (!topic) return;
  const problem = topicSubjectProblem(topic, limits.subjectBudget);
  if (problem) throw tooLarge('willTopic', `what the message bus can carry (${problem})`);
}

/** Subscriptions added by an administrator (subscribeToMq) must fit the bus. */
export function checkFiltersFit(add: Subscription__Output[], limits: StoreLimits): void {
  add.forEach((sub, i) => {
    const problem = filterSubjectProblem(sub.topicFilter, limits.subjectBudget);
    if (problem) throw tooLarge(`add[${i}].topicFilter`, `what the message bus can carry (${problem})`);
  });
}

/**
 * The session's subscriptions after an administrator's change stay within its bound; a change
 * that adds nothing (only removals or new options of held filters) always passes, so a session
 * above the bound (from before it, or a lowered setting) can be brought back under it.
 */
export function checkBound(
  before: Subscription__Output[],
  after: Subscription__Output[],
  limits: StoreLimits,
): void {
  const held = new Set(before.map((s) => s.topicFilter));
  if (!after.some((s) => !held.has(s.topicFilter))) return;
  if (limits.maxCount > 0 && after.length > limits.maxCount) {
    throw limitExceeded(
      'add',
      `a session may hold at most ${limits.maxCount} subscriptions (${after.length} after this change)`,
    );
  }
  const bytes = after.reduce((sum, s) => sum + Buffer.byteLength(s.topicFilter, 'utf8'), 0);
  if (bytes > limits.maxBytes) {
    throw limitExceeded(
      'add',
      `a session's topic filters may total at most ${limits.maxBytes} bytes (${bytes} after this change)`,
    );
  }
}
