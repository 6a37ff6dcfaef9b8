// Authorization rules (the "authorization" array of the MQFLEET_CONFIG file): which client may
// publish to which topics and subscribe to which topic filters. Pure functions, table-tested.
//
// Rules are read in order and the FIRST rule that matches decides (like a firewall, or an
// EMQX ACL file). A rule matches a request when
//   - its "username" / "clientId" selectors (exact, or with "*" globs) match the client, and
//   - its "action" is the request's ("publish", "subscribe" or "all"), and
//   - one of its "topics" matches: a topic filter in which %c is the client id and %u the
//     username (as Mosquitto's ACL "pattern" lines). For a PUBLISH, the topic name matches the
//     filter.
// Nothing matches: denied. No rules at all (no "authorization" key): everything is allowed.
//
// Reading (the "subscribe" rules) is decided per delivered topic, as Mosquitto does: a message
// reaches a subscriber only when the first rule matching its topic name allows it (mayRead). A
// SUBSCRIBE is refused only when no topic its filter can match may be read: a deny rule covers
// the filter with no earlier allow rule overlapping it, or no rule covers it and none allows any
// part of it. A filter that some earlier deny rule (or only an allow rule covering part of it)
// overlaps is granted with a per-message check ("check"): with `deny subscribe secret/#` then
// `allow subscribe #`, a subscription to "#" is granted and gets no message of secret/...; with
// only `allow subscribe sensors/+/temp`, a subscription to "sensors/#" is granted and gets only
// the sensors/+/temp messages. A filter that a leading allow rule covers without any earlier
// deny overlapping it needs no check ("allow"). The answer leans towards granting: an allow rule
// that overlaps a filter is counted even when earlier rules shadow all of it, so such a filter is
// granted and then receives nothing (docs/mqtt.md, "Authorization rules on delivery").
//
// User names are matched as accounts are (packages/core/src/accounts.ts accountKey): a login does
// not depend on case, so neither does a rule. The "username" selector is compared, and %u
// substituted, in lower case: `deny username "Bob"` holds for "BOB", and %u of "BOB" is "bob".
//
// %c / %u are substituted as literal text. A client id or username that is empty or holds "/",
// "+" or "#" could widen a pattern, so a rule using it never allows and always denies that client.

import { accountKey } from './accounts';
import { topicFilterProblem, topicMatches } from './topics';

export type AuthorizationAction = 'publish' | 'subscribe' | 'all';

export interface AuthorizationRule {
  permission: 'allow' | 'deny';
  action: AuthorizationAction;
  /** Exact username or "*" glob; absent = any client, anonymous ones included. */
  username?: string;
  /** Exact client id or "*" glob; absent = any client. */
  clientId?: string;
  /** Topic filters, with %c and %u substituted. */
  topics: string[];
}

export class AuthorizationRuleError extends Error {}

const RULE_KEYS = new Set(['permission', 'action', 'username', 'clientId', 'topics']);

/** Validates the "authorization" value of the config file; errors name the rule and its key. */
export function parseAuthorization(value: unknown): AuthorizationRule[] {
  if (!Array.isArray(value)) throw new AuthorizationRuleError('must be an array of rules');
  return value.map((item: unknown, i) => {
    const at = `rule ${i}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new AuthorizationRuleError(`${at} must be an object`);
    const rule = item as Record<string, unknown>;
    for (const key of Object.keys(rule)) {
      if (!RULE_KEYS.has(key))
        throw new AuthorizationRuleError(`${at}: unknown key "${key}" (known: ${[...RULE_KEYS].join(', ')})`);
    }
    if (rule.permission !== 'allow' && rule.permission !== 'deny')
      throw new AuthorizationRuleError(`${at}: "permission" must be "allow" or "deny"`);
    if (rule.action !== 'publish' && rule.action !== 'subscribe' && rule.action !== 'all')
      throw new AuthorizationRuleError(`${at}: "action" must be "publish", "subscribe" or "all"`);
    for (const key of ['username', 'clientId'] as const) {
      if (rule[key] !== undefined && (typeof rule[key] !== 'string' || rule[key] === ''))
        throw new AuthorizationRuleError(`${at}: "${key}" must be a non-empty string`);
    }
    const topics = rule.topics;
    if (!Array.isArray(topics) || topics.length === 0)
      throw new AuthorizationRuleError(`${at}: "topics" must be a non-empty array of topic filters`);
    topics.forEach((topic: unknown, j) => {
      const problem = typeof topic === 'string' ? topicFilterProblem(topic) : 'must be a string';
      if (problem) throw new AuthorizationRuleError(`${at}: topics[${j}] ${problem}`);
    });
    return {
      permission: rule.permission,
      action: rule.action,
      ...(rule.username !== undefined ? { username: rule.username as string } : {}),
      ...(rule.clientId !== undefined ? { clientId: rule.clientId as string } : {}),
      topics: topics as string[],
    };
  });
}

function globMatches(glob: string, value: string): boolean {
  if (!glob.includes('*')) return glob === value;
  const pattern = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(value);
}

const isWildcard = (level: string | undefined): boolean => level === '+' || level === '#';
const isDollar = (level: string | undefined): boolean =>
  level !== undefined && !isWildcard(level) && level.startsWith('$');

/**
 * Does filter `rule` match every topic that `requested` can match? (A topic name is a filter
 * without wildcards.) Wildcards in the first level never match "$" topics [MQTT-4.7.2-1].
 */
export function filterCovers(rule: string[], requested: string[]): boolean {
  if (isWildcard(rule[0]) && isDollar(requested[0])) return false;
  for (let i = 0; ; i++) {
    const r = rule[i];
    const q = requested[i];
    if (r === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    if (r === undefined || q === undefined) return r === q;
    if (q === '#') return false;
    if (q === '+') {
      if (r !== '+') return false;
    } else if (r !== '+' && r !== q) return false;
  }
}

/** Can filters `a` and `b` both match some topic? */
export function filtersOverlap(a: string[], b: string[]): boolean {
  if ((isWildcard(a[0]) && isDollar(b[0])) || (isWildcard(b[0]) && isDollar(a[0]))) return false;
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '#' || y === '#') return true;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
}

/** A rule as it applies to one client: its filters with %c/%u substituted, or "unsafe". */
interface ClientRule {
  permission: 'allow' | 'deny';
  action: AuthorizationAction;
  filters: (string[] | 'unsafe')[];
}

const UNSAFE_VALUE = /[/+#]/;

function substitute(filter: string, clientId: string, username: string): string[] | 'unsafe' {
  const uses = (token: string): boolean => filter.includes(token);
  if (uses('%c') && (clientId === '' || UNSAFE_VALUE.test(clientId))) return 'unsafe';
  if (uses('%u') && (username === '' || UNSAFE_VALUE.test(username))) return 'unsafe';
  return filter
    .split('/')
    .map((level) =>
      isWildcard(level) ? level : level.replaceAll('%c', clientId).replaceAll('%u', username),
    );
}

/**
 * What the rules say of a SUBSCRIBE's filter: refused; granted, every topic it matches readable;
 * or granted with a per-message check (mayRead) because some topics it matches are not.
 */
export type SubscribeGrant = 'refuse' | 'allow' | 'check';

export interface ClientAuthorization {
  mayPublish(topic: string): boolean;
  /** subscription(filter) is not "refuse". */
  maySubscribe(filter: string): boolean;
  subscription(filter: string): SubscribeGrant;
  /** May a message on this topic name be delivered to the client? (Cached per topic.) */
  mayRead(topic: string): boolean;
}

export const ALLOW_ALL: ClientAuthorization = {
  mayPublish: () => true,
  maySubscribe: () => true,
  subscription: () => 'allow',
  mayRead: () => true,
};

/**
 * Read decisions a client keeps, by topic: beyond this many distinct topics the cache starts
 * again (a client that reads ever new topics pays the rule walk, and no more memory).
 */
export const READ_CACHE_SIZE = 1024;

/**
 * The rules that concern one client (selected once, at CONNECT). Without rules, ALLOW_ALL.
 */
export function authorizationFor(
  rules: AuthorizationRule[] | undefined,
  clientId: string,
  username: string,
): ClientAuthorization {
  if (!rules) return ALLOW_ALL;
  const user = accountKey(username);
  const mine: ClientRule[] = rules
    .filter(
      (r) =>
        (r.username === undefined || globMatches(accountKey(r.username), user)) &&
        (r.clientId === undefined || globMatches(r.clientId, clientId)),
    )
    .map((r) => ({
      permission: r.permission,
      action: r.action,
      filters: r.topics.map((t) => substitute(t, clientId, user)),
    }));
  const decide = (action: 'publish' | 'subscribe', requested: string): boolean => {
    const levels = requested.split('/');
    for (const rule of mine) {
      if (rule.action !== 'all' && rule.action !== action) continue;
      const allow = rule.permission === 'allow';
      const matched = rule.filters.some((f) =>
        f === 'unsafe' ? !allow : allow ? filterCovers(f, levels) : filtersOverlap(f, levels),
      );
      if (matched) return allow;
    }
    return false;
  };
  const subscription = (filter: string): SubscribeGrant => {
    const levels = filter.split('/');
    // Earlier rules that overlap the filter without covering it decide part of its topics.
    let partlyAllowed = false;
    let partlyDenied = false;
    for (const rule of mine) {
      if (rule.action !== 'all' && rule.action !== 'subscribe') continue;
      const allow = rule.permission === 'allow';
      let covers = false;
      let overlaps = false;
      for (const f of rule.filters) {
        if (f === 'unsafe') covers ||= !allow;
        else if (filterCovers(f, levels)) covers = true;
        else overlaps ||= filtersOverlap(f, levels);
      }
      if (covers) {
        if (allow) return partlyDenied ? 'check' : 'allow';
        return partlyAllowed ? 'check' : 'refuse';
      }
      if (overlaps) {
        if (allow) partlyAllowed = true;
        else partlyDenied = true;
      }
    }
    return partlyAllowed ? 'check' : 'refuse';
  };
  // The read check is decide('subscribe', topic): for a topic name, covering and overlapping
  // both mean "matches". It walks the filters as strings with topicMatches instead of splitting
  // the topic (bench/read-check.ts), and caches its answers per topic.
  let readRules: { allow: boolean; filters: (string | null)[] }[] | undefined;
  const walkReadRules = (topic: string): boolean => {
    readRules ??= mine
      .filter((r) => r.action !== 'publish')
      .map((r) => ({
        allow: r.permission === 'allow',
        filters: r.filters.map((f) => (f === 'unsafe' ? null : f.join('/'))),
      }));
    for (const rule of readRules) {
      for (const f of rule.filters) {
        if (f === null ? !rule.allow : topicMatches(f, topic)) return rule.allow;
      }
    }
    return false;
  };
  let reads: Map<string, boolean> | undefined;
  const mayRead = (topic: string): boolean => {
    let readable = reads?.get(topic);
    if (readable !== undefined) return readable;
    readable = walkReadRules(topic);
    reads ??= new Map();
    if (reads.size >= READ_CACHE_SIZE) reads.clear();
    reads.set(topic, readable);
    return readable;
  };
  return {
    mayPublish: (topic) => decide('publish', topic),
    maySubscribe: (filter) => subscription(filter) !== 'refuse',
    subscription,
    mayRead,
  };
}
