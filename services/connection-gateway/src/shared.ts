// Shared subscriptions [MQTT-4.8.2]: "$share/{ShareName}/{filter}". Each message matching the
// filter goes to one member of the group, across the whole cluster: every gateway with members
// subscribes the filter's NATS subjects in one NATS queue group per (ShareName, filter), so NATS
// hands each message to one of those gateways, which picks one of its members in turn
// (router.ts, SharedMembers.deliver below). The same filter under two share names, or two filters under
// one name, are separate shared subscriptions. Supported for MQTT 3.1.1 too, as Mosquitto and
// EMQX do. Retained messages are not sent to shared subscriptions (MQTT 5 §4.8.2),
// and shared subscriptions are not queued for an offline session (queue.ts): its group's other
// members get the messages. A member whose read rules deny a message's topic is passed over.
import { createHash } from 'node:crypto';
import { topicFilterProblem, topicMatches } from '@mqfleet/core';
import type { Connection } from './connection';
import type { RoutedMessage } from './message';

export const SHARE_PREFIX = '$share/';

/** Connection.offerShared: the read rules do not let this member have the message. */
export const READ_DENIED = 'readDenied';

export interface SharedFilter {
  group: string;
  filter: string;
}

export const isShared = (topicFilter: string): boolean => topicFilter.startsWith(SHARE_PREFIX);

/**
 * Splits "$share/{ShareName}/{filter}"; undefined for an ordinary filter. Throws nothing: an
 * invalid one is reported by sharedFilterProblem.
 */
export function parseShared(topicFilter: string): SharedFilter | undefined {
  if (!isShared(topicFilter)) return undefined;
  const rest = topicFilter.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { group: rest, filter: '' };
  return { group: rest.slice(0, slash), filter: rest.slice(slash + 1) };
}

/**
 * Why a shared subscription's filter is invalid [MQTT-4.8.2-1, MQTT-4.8.2-2]: the ShareName is at
 * least one character and holds no "/", "+" or "#", and is followed by "/" and a valid filter.
 */
export function sharedFilterProblem(topicFilter: string): string | undefined {
  const shared = parseShared(topicFilter);
  if (!shared) return undefined;
  if (shared.group === '') return 'the ShareName of a shared subscription must not be empty';
  if (/[+#]/.test(shared.group)) return 'a ShareName must not contain "+" or "#"';
  if (shared.filter === '') return 'a shared subscription needs a topic filter after the ShareName';
  return topicFilterProblem(shared.filter);
}

/** NATS queue group of a shared subscription: a fixed-length token of (ShareName, filter). */
export function queueGroupOf(shared: SharedFilter): string {
  return `share_${createHash('sha256').update(`${shared.group}\u0000${shared.filter}`).digest('base64url').slice(0, 22)}`;
}

/** The members of each shared subscription on one gateway, and whose turn it is. */
export class SharedMembers {
  private readonly members = new Map<string, Set<Connection>>();
  private readonly turn = new Map<string, number>();

  add(topicFilter: string, conn: Connection): void {
    let members = this.members.get(topicFilter);
    if (!members) this.members.set(topicFilter, (members = new Set()));
    members.add(conn);
  }

  remove(topicFilter: string, conn: Connection): void {
    const members = this.members.get(topicFilter);
    if (!members) return;
    members.delete(conn);
    if (members.size === 0) {
      this.members.delete(topicFilter);
      this.turn.delete(topicFilter);
    }
  }

  /**
   * NATS chose this gateway for a message of a shared subscription: one of its members here gets
   * it, in turn [MQTT-4.8.2]. A member that cannot take it (still connecting, closing) is passed
   * over, and so, first, is one that cannot send it at once (a slow consumer: its outbound budget
   * is used up or its QoS 1/2 deliveries wait, connection.ts). False when none here took it: the
   * router hands it on to the group's other gateways (router.ts redirectShared).
   */
  deliver(shared: SharedFilter, message: RoutedMessage): boolean {
    // NATS subjects over-match "$" topics for leading wildcards [MQTT-4.7.2-1].
    if (!topicMatches(shared.filter, message.topic)) return true;
    const topicFilter = `${SHARE_PREFIX}${shared.group}/${shared.filter}`;
    const members = [...(this.members.get(topicFilter) ?? [])];
    const turn = this.turn.get(topicFilter) ?? 0;
    /** Members the read rules do not let have it (authorization.ts): passed over. */
    let denied: Set<Connection> | undefined;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < members.length; i++) {
        const member = members[(turn + i) % members.length]!;
        if (denied?.has(member)) continue;
        const taken = member.offerShared(topicFilter, message, pass === 1);
        if (taken === READ_DENIED) (denied ??= new Set()).add(member);
        else if (taken) {
          this.turn.set(topicFilter, (turn + i + 1) % members.length);
          return true;
        }
      }
      // No member here may read it: it is not handed on to the group's other gateways either
      // (a group's members are expected to share their read rules; docs/mqtt.md).
      if (denied !== undefined && denied.size === members.length) return true;
    }
    return false;
  }
}
