// CONNECT → OpenSession → CONNACK [MQTT-3.1, MQTT-3.2]. The dispatcher calls this once per
// connection (it alone enforces "CONNECT first, only once"). handleConnect runs named steps:
// checkProtocol, identify, checkKeepAlive, checkAuthenticationMethod, checkWill, declare, then
// resumeFromHold, answerFirstIfNew or openStored, and registerAndAccept sends the CONNACK.
// (Longer than most files: every step of a CONNECT, each short, in the order they run.)
import { randomBytes } from 'node:crypto';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import {
  declaredSettings,
  MAX_PACKET_SIZE,
  newSessionSettings,
  topicNameProblem,
  UINT16_MAX,
  UINT32_MAX,
} from '@mqfleet/core';
import type {
  ConnectDeclaration,
  ConnectDeclaration__Output,
  OpenSessionRequest,
  OpenSessionResponse__Output,
} from '@mqfleet/proto';
import type { Connection } from '../connection';
import { MalformedPacketError, SessionServiceError } from '../errors';
import { userPropertiesToPairs } from '../message';
import { ReasonCode, ReturnCode } from '../reason-codes';
import { beyondMaxKeepAlive, keepAliveInForce } from '../keep-alive';
import type { Resumed } from '../queue';
import type { HeldSession } from '../resume-hold';
import { sharedLimits, type ClientLimits } from '../settings';

/** Sends a refusing CONNACK and closes [MQTT-3.2.2-6 (3.1.1), MQTT-3.2.2-7 (5.0)]. */
function refuse(conn: Connection, v4Code: number, v5Code: number, reason: string): void {
  const packet: IConnackPacket =
    conn.protocolVersion === 5
      ? { cmd: 'connack', sessionPresent: false, reasonCode: v5Code }
      : { cmd: 'connack', sessionPresent: false, returnCode: v4Code };
  conn.send(packet);
  conn.log.info('connection refused', { clientName: conn.clientName, reason });
  conn.ctx.emit('connectRefused', conn.clientName, reason);
  conn.end({ reason, clean: false, publishWill: false });
}

function declaration(
  packet: IConnectPacket,
  v5: boolean,
  limits: ClientLimits,
  maxKeepAlive: number,
): ConnectDeclaration {
  const keepalive = packet.keepalive ?? 0;
  const props = packet.properties ?? {};
  const will = packet.will;
  const wp = will?.properties ?? {};
  const clean = packet.clean !== false;
  return {
    mqttProtocol: v5 ? '5.0' : '3.1.1',
    cleanStart: clean,
    // The keep alive in force, so the stored session shows it: capped by the broker's maximum.
    keepAliveSeconds: keepAliveInForce(keepalive, maxKeepAlive),
    // MQTT 3.1.1: a clean session ends with the connection; otherwise it never expires.
    sessionExpiryInterval: v5 ? (props.sessionExpiryInterval ?? 0) : clean ? 0 : UINT32_MAX,
    receiveMaximum: limits.receiveMaximum,
    maximumPacketSize: limits.maximumPacketSize,
    topicAliasMaximum: limits.topicAliasMaximum,
    requestProblemInformation: props.requestProblemInformation ?? true,
    requestResponseInformation: props.requestResponseInformation ?? false,
    hasWill: will !== undefined,
    ...(will
      ? {
          willTopic: will.topic,
          willPayload: typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload,
          willQos: will.qos ?? 0,
          willRetain: will.retain ?? false,
          willContentType: wp.contentType ?? '',
          willCorrelationData: wp.correlationData ?? Buffer.alloc(0),
          willPayloadUtf8: wp.payloadFormatIndicator === true,
          willExpirySeconds: wp.messageExpiryInterval ?? 0,
          hasWillExpiry: wp.messageExpiryInterval !== undefined,
          willDelaySeconds: wp.willDelayInterval ?? 0,
          willResponseTopic: wp.responseTopic ?? '',
          willUserProperties: userPropertiesToPairs(wp.userProperties).map(([key, value]) => ({
            key,
            value,
          })),
        }
      : {}),
  };
}

const hasNul = (value: unknown): boolean => typeof value === 'string' && value.includes('\u0000');

function userPropertiesHaveNul(props: Record<string, string | string[]> | undefined): boolean {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (hasNul(key) || (Array.isArray(value) ? value.some(hasNul) : hasNul(value))) return true;
  }
  return false;
}

/** The first UTF-8 string field of a CONNECT that holds U+0000, if any. */
function nulField(packet: IConnectPacket): string | undefined {
  if (hasNul(packet.clientId)) return 'the client identifier';
  if (hasNul(packet.username)) return 'the user name';
  if (userPropertiesHaveNul(packet.properties?.userProperties)) return 'a user property';
  const will = packet.will;
  if (!will) return undefined;
  const p = will.properties;
  if (hasNul(p?.contentType) || hasNul(p?.responseTopic)) return 'a will property';
  if (userPropertiesHaveNul(p?.userProperties)) return 'a will user property';
  return undefined;
}

/** Sends the accepting CONNACK [MQTT-3.2] and opens the connection for its other packets. */
function accept(
  conn: Connection,
  sessionPresent: boolean,
  resumed: Resumed | undefined,
  assigned: boolean,
  keepalive: number,
  declaredExpiry: number,
): void {
  const { ctx, clientName } = conn;
  const v5 = conn.protocolVersion === 5;
  const { maximumQos, retainAvailable, receiveMaximum } = ctx.limits;
  const settings = conn.settings;
  const connack: IConnackPacket = { cmd: 'connack', sessionPresent: sessionPresent };
  if (v5) {
    connack.reasonCode = ReasonCode.SUCCESS;
    connack.properties = {
      topicAliasMaximum: ctx.inboundTopicAliasMaximum,
      maximumPacketSize: ctx.maxPacketSize, // [MQTT-3.2.2.3.6]
      retainAvailable, // [MQTT-3.2.2.3.5]
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true, // ../shared.ts
    };
    // Absent means 65535 / QoS 2; Maximum QoS is only ever sent as 0 or 1 [MQTT-3.2.2-9].
    // [MQTT-3.2.2.3.3]
    if (receiveMaximum < 65535) connack.properties.receiveMaximum = receiveMaximum;
    if (maximumQos < 2) connack.properties.maximumQoS = maximumQos;
    if (assigned) connack.properties.assignedClientIdentifier = clientName; // [MQTT-3.2.2-16]
    // The session's keep-alive, capped by the maximum, wins and the client is told
    // [MQTT-3.2.2-21, MQTT-3.1.2-21].
    if (conn.keepAliveSeconds !== keepalive) connack.properties.serverKeepAlive = conn.keepAliveSeconds;
    if (settings.sessionExpiryInterval !== declaredExpiry) {
      connack.properties.sessionExpiryInterval = settings.sessionExpiryInterval;
    }
  } else {
    connack.returnCode = ReturnCode.ACCEPTED;
  }
  conn.state = 'open';
  conn.send(connack);
  conn.restore(resumed);
  conn.keepAlive.set(conn.keepAliveSeconds);
  conn.log.info('connected', { clientName, protocol: v5 ? '5.0' : '3.1.1', version: String(conn.version) });
  ctx.emit('connected', clientName, conn.id);
}

/**
 * A CONNECT of a client id without a stored session, answered before its OpenSession is written
 * (docs/mqtt.md, "Connects at scale"): the session is new, so it has the settings the CONNECT
 * declares and nothing to resume (Session Present 0). The open is owed to the session-service
 * like every other write (writer.ts), marked `answered`; what it returns is applied to the live
 * connection when it lands.
 */
function answerFirst(
  conn: Connection,
  declared: ConnectDeclaration,
  assigned: boolean,
  keepalive: number,
): void {
  const { ctx, clientName } = conn;
  const request: OpenSessionRequest = {
    clientName,
    gatewayId: ctx.gatewayId,
    connectionId: conn.id,
    ipAddress: '',
    port: 0,
    username: '',
    declared,
    answered: true,
  };
  conn.sessionOpened = true;
  // (Without a will, the declaration's bytes fields, which the stored form has in base64, are not
  // read.)
  conn.useSettings(newSessionSettings(declared as ConnectDeclaration__Output, ctx.limits.maxSessionExpiry));
  ctx.register(conn);
  // The peer's address is read when the open is sent: most answered opens of short connections
  // are withdrawn, and its system call was 4.5 % of the gateway's CPU per connect. A connection
  // that closed before (and whose session outlives it) is stored without one.
  ctx.writer.openSession(
    request,
    (r) => {
      r.ipAddress = conn.socket.remoteAddress ?? '';
      r.port = conn.socket.remotePort ?? 0;
    },
    (response) => answered(conn, response),
  );
  accept(conn, false, undefined, assigned, keepalive, declared.sessionExpiryInterval ?? 0);
  ctx.emit('answeredFirst', clientName, conn.id);
}

/** The open of a CONNECT answered first came back (undefined: withdrawn, or it cannot land). */
function answered(conn: Connection, response: OpenSessionResponse__Output | undefined): void {
  const { ctx, clientName } = conn;
  const live = !conn.ending && conn.state === 'open';
  if (!response) {
    // Withdrawn: the connection ended before the open was sent, and nothing was written. Otherwise
    // the session-service refused it for good (writer.ts logged why).
    if (live)
      conn.end(
        { reason: 'session could not be stored', clean: false, publishWill: false },
        ReasonCode.UNSPECIFIED_ERROR,
      );
    return;
  }
  if (response.refusal !== 'OPEN_REFUSAL_NONE') {
    // A stored session this gateway did not know of yet is banned, an MQ API session's or another
    // user's (the session-service decides ownership: docs/mqtt.md, "Client ids belong to
    // someone"), or the session-service does not accept anonymous clients after all: the
    // connection holds no session and ends (DISCONNECT 0x87 in MQTT 5; 0x8A is a CONNACK code
    // only). It was answered with Session Present 0 and no subscription: it received nothing of
    // the stored session.
    ctx.sessionStored(
      clientName,
      response.refusal === 'OPEN_REFUSAL_BANNED' ||
        response.refusal === 'OPEN_REFUSAL_MQ_API_SESSION' ||
        response.refusal === 'OPEN_REFUSAL_NOT_OWNER',
    );
    conn.log.info('answered connection refused by the session-service', {
      clientName,
      refusal: response.refusal,
    });
    if (live)
      conn.end(
        { reason: `session refused: ${response.refusal}`, clean: false, publishWill: false },
        ReasonCode.NOT_AUTHORIZED,
      );
    return;
  }
  if (!response.session || !live) return;
  ctx.applySession(conn, response.session, 'open');
  // A stored session found after all (version above 1) had its subscriptions discarded; its
  // offline queue goes too: the client was told it has no session [MQTT-3.2.2-3].
  if (response.session.version !== '1') void ctx.resumeQueue(clientName, false);
}

/**
 * Resumes a session held after its previous connection here ended (resume-hold.ts): the stored
 * session still names that connection, so this one takes its id and its session as the gateway
 * held them, and nothing is written (the close was never sent). Session Present 1; nothing was
 * queued for it (sessions with an offline queue are not held).
 */
async function resumeHeld(
  conn: Connection,
  held: HeldSession,
  keepalive: number,
  declaredExpiry: number,
): Promise<void> {
  conn.id = held.connectionId;
  conn.sessionOpened = true;
  conn.sessionResumed = true;
  conn.holdDeliveries();
  conn.ctx.applySession(conn, held.session, 'hold', true);
  // The connection has its own references to its filters' NATS interest now (applySession added
  // them): the ones the held session kept go.
  held.unkeep();
  await registerAndAccept(conn, true, () => Promise.resolve(undefined), false, keepalive, declaredExpiry);
}

/** What the steps of a CONNECT learn and hand on to the next. */
interface Connecting {
  conn: Connection;
  packet: IConnectPacket;
  v5: boolean;
  /** Clean Start (MQTT 5) / Clean Session (3.1.1). */
  clean: boolean;
  clientName: string;
  /** The server assigned the client id (an empty one in the CONNECT). */
  assigned: boolean;
  /** The keep alive the CONNECT asked for. */
  keepalive: number;
  /** No user name, password or will. */
  anonymous: boolean;
}

/** After the checks: what the CONNECT declares of its session (settings, limits, will). */
interface Declared extends Connecting {
  declared: ConnectDeclaration;
}

/**
 * A CONNECT, as named steps in order (as aedes does): the checks, each of which may refuse it (a
 * refusing CONNACK, the connection ends); then the first way to open the session that applies:
 * resumed from this gateway's hold, answered before it is stored, or opened in the store.
 */
export async function handleConnect(conn: Connection, packet: IConnectPacket): Promise<void> {
  if (!checkProtocol(conn, packet)) return;
  const c = identify(conn, packet);
  if (!c || !checkKeepAlive(c) || !checkAuthenticationMethod(c) || !checkWill(c)) return;
  const d = declare(c);
  if (await resumeFromHold(d)) return;
  if (answerFirstIfNew(d)) return;
  await openStored(d);
}

/** Only "MQTT" level 4 (3.1.1) and 5 are served [MQTT-3.1.2-1, MQTT-3.1.2-2]. */
function checkProtocol(conn: Connection, packet: IConnectPacket): boolean {
  const version = packet.protocolVersion;
  if (packet.protocolId !== 'MQTT' || (version !== 4 && version !== 5)) {
    refuse(
      conn,
      ReturnCode.UNACCEPTABLE_PROTOCOL_VERSION,
      ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
      `unsupported protocol ${packet.protocolId} level ${version}`,
    );
    return false;
  }
  conn.setProtocolVersion(version);
  return true;
}

/** The client id [MQTT-3.1.3-6..9] and user name; the connection's authorization follows. */
function identify(conn: Connection, packet: IConnectPacket): Connecting | undefined {
  const v5 = conn.protocolVersion === 5;
  const clean = packet.clean !== false;
  // A UTF-8 string with U+0000 makes the packet malformed [MQTT-1.5.4-2] (and Postgres could not
  // store it).
  const nul = nulField(packet);
  if (nul) throw new MalformedPacketError(`${nul} contains U+0000`);
  conn.username = packet.username ?? '';
  let clientName = packet.clientId ?? '';
  let assigned = false;
  if (clientName === '') {
    if (!v5 && !clean) {
      refuse(conn, ReturnCode.IDENTIFIER_REJECTED, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 'empty client id');
      return undefined; // [MQTT-3.1.3-8]
    }
    clientName = `mqfleet-${randomBytes(12).toString('base64url')}`;
    assigned = true;
  }
  conn.clientName = clientName;
  conn.authorization = conn.ctx.authorizationFor(clientName, conn.username);
  return {
    conn,
    packet,
    v5,
    clean,
    clientName,
    assigned,
    keepalive: packet.keepalive ?? 0,
    // A will is stored with the session, so that it fires if this gateway dies (docs/mqtt.md, "A
    // gateway that dies"); a password is checked by the session-service.
    anonymous: packet.username === undefined && packet.password === undefined && !packet.will,
  };
}

/** MQTT 3.1.1 cannot be told another keep alive: one above the maximum is refused, as Mosquitto's max_keepalive does. */
function checkKeepAlive({ conn, v5, keepalive }: Connecting): boolean {
  const { maxKeepAlive } = conn.ctx.limits;
  if (!v5 && beyondMaxKeepAlive(keepalive, maxKeepAlive)) {
    refuse(
      conn,
      ReturnCode.IDENTIFIER_REJECTED,
      ReasonCode.UNSPECIFIED_ERROR,
      `keep alive ${keepalive} is 0 or above the maximum of ${maxKeepAlive}`,
    );
    return false;
  }
  return true;
}

/** Enhanced authentication is not supported [MQTT-4.12]. */
function checkAuthenticationMethod({ conn, v5, packet }: Connecting): boolean {
  if (v5 && packet.properties?.authenticationMethod !== undefined) {
    refuse(
      conn,
      ReturnCode.NOT_AUTHORIZED,
      ReasonCode.BAD_AUTHENTICATION_METHOD,
      'unsupported authentication method',
    );
    return false;
  }
  return true;
}

/** A will the server can honour, the bus can carry and the rules allow. */
function checkWill({ conn, packet }: Connecting): boolean {
  const will = packet.will;
  if (!will) return true;
  const { ctx } = conn;
  const { maximumQos, retainAvailable } = ctx.limits;
  const problem = topicNameProblem(will.topic);
  if (problem) {
    refuse(
      conn,
      ReturnCode.IDENTIFIER_REJECTED,
      ReasonCode.TOPIC_NAME_INVALID,
      `invalid will topic: ${problem}`,
    );
    return false;
  }
  // A will the server cannot honour is refused [MQTT-3.2.2-12 (QoS), MQTT-3.2.2-13 (retain)];
  // MQTT 3.1.1 has no such codes: 0x05.
  if ((will.qos ?? 0) > maximumQos) {
    refuse(conn, ReturnCode.NOT_AUTHORIZED, ReasonCode.QOS_NOT_SUPPORTED, 'will QoS above the maximum');
    return false;
  }
  if (will.retain && !retainAvailable) {
    refuse(conn, ReturnCode.NOT_AUTHORIZED, ReasonCode.RETAIN_NOT_SUPPORTED, 'retained will not available');
    return false;
  }
  // A will the message bus could not publish (../bus-limits.ts): 0x90 / 0x97; 3.1.1 0x05.
  const offBus = ctx.bus.willRefusal(will);
  if (offBus) {
    refuse(conn, ReturnCode.NOT_AUTHORIZED, offBus.reasonCode, `will refused: ${offBus.reason}`);
    return false;
  }
  if (!conn.authorization.mayPublish(will.topic)) {
    refuse(conn, ReturnCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED, 'will topic not authorized');
    return false;
  }
  return true;
}

/** The client's own limits, and what the CONNECT declares of its session. */
function declare(c: Connecting): Declared {
  const { conn, packet, v5 } = c;
  const props = packet.properties ?? {};
  const limits: ClientLimits = sharedLimits({
    receiveMaximum: v5 ? (props.receiveMaximum ?? UINT16_MAX) : UINT16_MAX,
    maximumPacketSize: v5 ? (props.maximumPacketSize ?? MAX_PACKET_SIZE) : MAX_PACKET_SIZE,
    topicAliasMaximum: v5 ? (props.topicAliasMaximum ?? 0) : 0,
  });
  conn.declared = limits;
  conn.limits = limits;
  const declared = declaration(packet, v5, limits, conn.ctx.limits.maxKeepAlive);
  conn.connectExpiryZero = v5 && (declared.sessionExpiryInterval ?? 0) === 0;
  return { ...c, declared };
}

/**
 * A persistent session whose connection ended here a moment ago, and which this CONNECT resumes
 * as it was (docs/mqtt.md, "Resumed from the gateway's hold"). True when it did.
 */
async function resumeFromHold(c: Declared): Promise<boolean> {
  const { conn, clientName, declared } = c;
  const { ctx } = conn;
  const taking = ctx.takeHeld(clientName, conn.protocolVersion, c.anonymous && !c.clean && !c.assigned, () =>
    declaredSettings(declared as ConnectDeclaration__Output, ctx.limits.maxSessionExpiry),
  );
  // (A promise only while the held session's last subscription change is being stored.)
  const held = taking instanceof Promise ? await taking : taking;
  if (!held) return false;
  if (conn.state === 'closed') {
    // The socket closed while the session's subscription change landed: the held close goes.
    held.unkeep();
    void held.send();
    return true;
  }
  await resumeHeld(conn, held, c.keepalive, declared.sessionExpiryInterval ?? 0);
  return true;
}

/**
 * Answered first only a session that ends with its connection (Session Expiry 0: its write is
 * saved when the client leaves within the hold; a persistent session has to be stored anyway,
 * and answering its CONNECTs first let a reconnect storm's ramp outrun the session-service),
 * without a password to check and without a will. True when it was.
 */
function answerFirstIfNew(c: Declared): boolean {
  const plain = (c.declared.sessionExpiryInterval ?? 0) === 0 && c.anonymous;
  if (!c.conn.ctx.mayAnswerFirst(c.clientName, plain)) return false;
  answerFirst(c.conn, c.declared, c.assigned, c.keepalive);
  return true;
}

/** OpenSession in the store (authenticate, ban, take over), then the CONNACK. */
async function openStored(c: Declared): Promise<void> {
  const { conn, packet, clientName, assigned, keepalive } = c;
  const { ctx } = conn;
  // Writes still owed for an earlier connection of this client here land first (writer.ts).
  await ctx.writer.settled(clientName, ctx.limits.grpcDeadlineMs);
  let response: OpenSessionResponse__Output;
  try {
    response = await ctx.sessions.openSession({
      clientName,
      gatewayId: ctx.gatewayId,
      connectionId: conn.id,
      ipAddress: conn.socket.remoteAddress ?? '',
      port: conn.socket.remotePort ?? 0,
      username: conn.username,
      ...(packet.password !== undefined ? { password: Buffer.from(packet.password) } : {}),
      declared: c.declared,
    });
  } catch (err) {
    conn.log.warn('OpenSession failed', {
      clientName,
      err: err instanceof SessionServiceError ? err.message : err,
    });
    if (conn.state !== 'closed') {
      refuse(
        conn,
        ReturnCode.SERVER_UNAVAILABLE,
        ReasonCode.SERVER_UNAVAILABLE,
        'session service unavailable',
      );
    }
    return;
  }
  if (response.refusal === 'OPEN_REFUSAL_BAD_CREDENTIALS') {
    // [MQTT-3.2.2-6] a refusing CONNACK, then close.
    if (conn.state !== 'closed') {
      refuse(
        conn,
        ReturnCode.BAD_USERNAME_OR_PASSWORD,
        ReasonCode.BAD_USERNAME_OR_PASSWORD,
        'bad username or password',
      );
    }
    return;
  }
  if (response.refusal === 'OPEN_REFUSAL_NOT_AUTHORIZED') {
    if (conn.state !== 'closed')
      refuse(conn, ReturnCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED, 'anonymous clients are not allowed');
    return;
  }
  if (response.refusal === 'OPEN_REFUSAL_BANNED') {
    ctx.sessionStored(clientName, true);
    if (conn.state !== 'closed') refuse(conn, ReturnCode.NOT_AUTHORIZED, ReasonCode.BANNED, 'session banned');
    return;
  }
  if (response.refusal === 'OPEN_REFUSAL_MQ_API_SESSION') {
    // The client id is an MQ API session's (docs/json-api.md, createMqApiSession): MQTT and MQ
    // API sessions share one name space, and MQFLEET_MQTT_MAY_USE_MQ_API_NAMES is false.
    ctx.sessionStored(clientName, true);
    if (conn.state !== 'closed') {
      refuse(
        conn,
        ReturnCode.IDENTIFIER_REJECTED,
        ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
        'the client id names an MQ API session',
      );
    }
    return;
  }
  if (response.refusal === 'OPEN_REFUSAL_NOT_OWNER') {
    // The client id names a session another user name created, and MQFLEET_CLIENT_ID_OWNERSHIP
    // is refuse (docs/mqtt.md, "Client ids belong to someone"): 0x87 / return code 5.
    ctx.sessionStored(clientName, true);
    if (conn.state !== 'closed') {
      refuse(
        conn,
        ReturnCode.NOT_AUTHORIZED,
        ReasonCode.NOT_AUTHORIZED,
        'the client id belongs to another user',
      );
    }
    return;
  }
  if (conn.state === 'closed') {
    // The socket closed while OpenSession ran: the session it opened is closed again.
    void ctx.writer.closeSession({
      clientName,
      connectionId: conn.id,
      clean: false,
      reason: 'connection lost before CONNACK',
    });
    return;
  }
  conn.sessionOpened = true;
  conn.holdDeliveries();
  if (response.session) conn.ctx.applySession(conn, response.session, 'open', true);
  else conn.log.warn('OpenSession returned no session; using defaults', { clientName });
  await registerAndAccept(
    conn,
    response.sessionPresent,
    // The offline queue is read once the live subscriptions are in place (queue.ts).
    () => ctx.resumeQueue(clientName, response.sessionPresent),
    assigned,
    keepalive,
    c.declared.sessionExpiryInterval ?? 0,
  );
}

/**
 * The session is applied to the connection (deliveries held): it becomes the holder of its client
 * id here and gets its CONNACK once the NATS interest of its subscriptions is in place, so that a
 * message published right after it reaches the client from any gateway, and once `resume` has
 * read what the session kept (its offline queue).
 */
async function registerAndAccept(
  conn: Connection,
  sessionPresent: boolean,
  resume: () => Promise<Resumed | undefined>,
  assigned: boolean,
  keepalive: number,
  declaredExpiry: number,
): Promise<void> {
  const { ctx } = conn;
  ctx.cancelWill(conn.clientName);
  const current = ctx.register(conn);
  // A resumed session's stored subscriptions [MQTT-3.1.2-5] were restored by applySession.
  await conn.routing;
  const resumed = await resume();
  if (conn.ending || conn.socket.destroyed) return;
  accept(conn, sessionPresent, resumed, assigned, keepalive, declaredExpiry);
  if (!current) {
    // A newer connection of the same client already holds the session here.
    conn.end(
      { reason: 'session taken over', clean: false, publishWill: false },
      ReasonCode.SESSION_TAKEN_OVER,
    );
  }
}
