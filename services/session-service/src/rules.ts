// The authorization rules (docs/configuration.md, "Authorization rules") where the session-service
// changes a session for someone else than its client: subscriptions added by subscribeToMq and a
// will set by alterMqSession are checked against the rules of the session's user, the same rules
// the gateway applies to that user's SUBSCRIBE and CONNECT will (packages/core/src/authorization.ts),
// and against the server's maximum QoS and retain availability. An administrator may act on any
// session, but not give it what its own user could not ask for.
import {
  authorizationFor,
  invalidValue,
  MqfleetError,
  type AuthorizationRule,
  type ClientAuthorization,
  type Logger,
} from '@mqfleet/core';
import type { SessionPatch__Output, Subscription__Output } from '@mqfleet/proto';
import type { Db } from './db';
import { publisherOf } from './sessions/mq-api';
import type { SessionStore } from './sessions/store';

export interface SessionRules {
  /** The "authorization" array of the configuration file; undefined: everything is allowed. */
  authorization: AuthorizationRule[] | undefined;
  maximumQos: number;
  retainAvailable: boolean;
}

const SHARE_PREFIX = '$share/';

/** The filter of a shared subscription after its ShareName (the part the rules judge). */
function ruledFilter(topicFilter: string): string {
  if (!topicFilter.startsWith(SHARE_PREFIX)) return topicFilter;
  const rest = topicFilter.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? '' : rest.slice(slash + 1);
}

/**
 * The rules of the session's user: an MQ API session's owner, otherwise the user name its MQTT
 * client last connected with ('' anonymous). Undefined when there are no rules or no session
 * (the store then answers NOT_FOUND).
 */
async function rulesOf(
  db: Db,
  rules: SessionRules,
  clientName: string,
): Promise<ClientAuthorization | undefined> {
  if (!rules.authorization) return undefined;
  const session = await publisherOf(db, clientName);
  if (!session) return undefined;
  return authorizationFor(rules.authorization, clientName, session.owner || session.username || '');
}

/**
 * subscribeToMq: every added filter must be one the session's user may subscribe to (else
 * RULES_REFUSE, naming the filter); a QoS above the server's maximum is lowered to it, as a
 * SUBACK grants.
 */
export async function checkSubscriptions(
  db: Db,
  rules: SessionRules,
  clientName: string,
  add: Subscription__Output[],
): Promise<void> {
  for (const sub of add) sub.qos = Math.min(sub.qos, rules.maximumQos);
  if (add.length === 0) return;
  const auth = await rulesOf(db, rules, clientName);
  if (!auth) return;
  const refused = add.find((sub) => !auth.maySubscribe(ruledFilter(sub.topicFilter)));
  if (refused) {
    throw new MqfleetError(
      'RULES_REFUSE',
      `the authorization rules do not let session "${clientName.slice(0, 200)}" subscribe to "${refused.topicFilter.slice(0, 200)}"`,
      'topicFilter',
    );
  }
}

/**
 * alterMqSession / alterMqSessions: a will the CONNECT of the session's client could not have
 * declared is refused as it would be there (docs/configuration.md, "Broker limits"): a QoS above
 * the maximum or a retained will while retain is off (INVALID_VALUE), a topic the rules do not let
 * the user publish to (RULES_REFUSE). Only the fields the patch sets are judged.
 */
export async function checkWill(
  db: Db,
  rules: SessionRules,
  clientName: string,
  patch: SessionPatch__Output | null | undefined,
): Promise<void> {
  if (!patch) return;
  if (patch.willQos !== undefined && patch.willQos !== null && patch.willQos > rules.maximumQos) {
    throw invalidValue('willQoS', `from 0 to ${rules.maximumQos} (the server's maximum QoS)`, patch.willQos);
  }
  if (patch.willRetain === true && !rules.retainAvailable) {
    throw invalidValue('willRetain', 'false (retained messages are not available on this server)', true);
  }
  const topic = patch.willTopic;
  if (typeof topic !== 'string' || topic === '') return;
  const auth = await rulesOf(db, rules, clientName);
  if (auth && !auth.mayPublish(topic)) {
    throw new MqfleetError(
      'RULES_REFUSE',
      `the authorization rules do not let session "${clientName.slice(0, 200)}" publish its will to "${topic.slice(0, 200)}"`,
      'willTopic',
    );
  }
}

/**
 * alterMqSessions: whether each matching session's user may publish the patch's will topic (the
 * store asks it per session, with the session's user). Undefined without rules or will topic.
 */
export function willRule(
  rules: SessionRules | undefined,
  patch: SessionPatch__Output | null | undefined,
): ((clientName: string, user: string) => boolean) | undefined {
  const topic = patch?.willTopic;
  const authorization = rules?.authorization;
  if (!authorization || typeof topic !== 'string' || topic === '') return undefined;
  return (clientName, user) => authorizationFor(authorization, clientName, user).mayPublish(topic);
}

/**
 * At start: the subscriptions of MQ API sessions that their owner's rules (the configuration
 * file's, read at start) refuse now are removed from the stored sessions, one change per session
 * (a version and an altered event the gateways follow, audit entries none: no administrator made
 * it). The gateways already keep nothing for such a subscription (mq-api-sessions.ts); without
 * this the stored session went on naming it. Every session-service does it at its start; a
 * second removal of the same filter changes nothing. Resolves with the sessions changed.
 */
export async function pruneRefusedMqApiSubscriptions(
  db: Db,
  store: Pick<SessionStore, 'changeSubscriptions'>,
  rules: Pick<SessionRules, 'authorization'>,
  log: Logger,
): Promise<number> {
  const authorization = rules.authorization;
  if (!authorization) return 0;
  const { rows } = await db.query<{ client_name: string; owner: string | null; topic_filter: string }>(
    `SELECT s.client_name, s.owner, sub.topic_filter
       FROM sessions s JOIN session_subscriptions sub ON sub.client_key = s.client_key
      WHERE s.session_type = 'mqApi'`,
  );
  const refused = new Map<string, string[]>();
  for (const row of rows) {
    const auth = authorizationFor(authorization, row.client_name, row.owner ?? '');
    if (auth.maySubscribe(ruledFilter(row.topic_filter))) continue;
    const list = refused.get(row.client_name) ?? [];
    list.push(row.topic_filter);
    refused.set(row.client_name, list);
  }
  let changed = 0;
  for (const [clientName, remove] of refused) {
    try {
      const result = await store.changeSubscriptions(
        { clientName, add: [], remove, connectionId: '' },
        'rules',
        false,
      );
      if (result.changed) changed++;
      log.info('MQ API session subscriptions the authorization rules refuse: removed', {
        clientName,
        filters: remove.slice(0, 20),
        count: remove.length,
      });
    } catch (err) {
      log.warn('MQ API session subscriptions the rules refuse not removed', { clientName, err });
    }
  }
  return changed;
}
