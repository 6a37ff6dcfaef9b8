// The sessions of a lost gateway in Postgres (src/losses.ts), against a real database with two
// session-services' stores on it and no outbox relay, so that every event and work item the
// stores write stays in the outbox to be counted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInfra, type Infra } from '@mqfleet/testkit';
import { createLogger, subjects as makeSubjects, type Subjects } from '@mqfleet/core';
import type { OpenSessionRequest__Output } from '@mqfleet/proto';
import { migrate } from '../src/index';
import { createPool, type Db } from '../src/db';
import { GatewayLosses } from '../src/losses';
import { SessionStore } from '../src/sessions';
import { declaration } from './helpers';

describe('lost gateways in Postgres (two session-services)', () => {
  let infra: Infra;
  let db: Db;
  let s: Subjects;
  let storeA: SessionStore;
  let storeB: SessionStore;
  let lossesA: GatewayLosses;
  let lossesB: GatewayLosses;
  const log = createLogger('test', 'error');

  before(async () => {
    infra = await createInfra();
    db = createPool(infra.databaseUrl);
    await migrate(db);
    s = makeSubjects(infra.natsPrefix);
    storeA = new SessionStore(db, s);
    storeB = new SessionStore(db, s);
    lossesA = new GatewayLosses(db, storeA, log, true);
    lossesB = new GatewayLosses(db, storeB, log, true);
  });
  after(async () => {
    await db.end();
    await infra.close();
  });

  const will = (delay: number) => ({
    hasWill: true,
    willTopic: 'lost/will',
    willPayload: Buffer.from('gone').toString('base64'),
    willQos: 1,
    willRetain: false,
    willContentType: '',
    willCorrelationData: '',
    willPayloadUtf8: false,
    hasWillExpiry: false,
    willExpirySeconds: 0,
    willResponseTopic: '',
    willUserProperties: [],
    willDelaySeconds: delay,
  });

  async function open(
    clientName: string,
    gatewayId: string,
    connectionId: string,
    declared: Record<string, unknown> = {},
  ): Promise<void> {
    await storeA.open({
      clientName,
      gatewayId,
      connectionId,
      ipAddress: '127.0.0.1',
      port: 1,
      username: '',
      declared: declaration(declared),
    } as unknown as OpenSessionRequest__Output);
  }

  async function outbox(
    subjectPrefix: string,
  ): Promise<{ subject: string; payload: Record<string, unknown> }[]> {
    const { rows } = await db.query<{ subject: string; payload: string }>(
      'SELECT subject, payload FROM outbox WHERE subject LIKE $1 ORDER BY id',
      [`${subjectPrefix}%`],
    );
    return rows.map((r) => ({
      subject: r.subject,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
  }

  async function row(clientName: string): Promise<Record<string, unknown> | undefined> {
    return (await storeA.describe([clientName]))[0] as unknown as Record<string, unknown> | undefined;
  }

  test('two services noticing the same lost gateway take care of each session once', async () => {
    for (let i = 0; i < 10; i++) {
      // Persistent with a QoS 1 subscription: parked by a gateway ("lost" work item).
      await open(`gx-p${i}`, 'gw-x', `runA.p${i}`, { cleanStart: false, sessionExpiryInterval: 600 });
      await storeA.changeSubscriptions(
        {
          clientName: `gx-p${i}`,
          connectionId: `runA.p${i}`,
          add: [
            {
              topicFilter: 'data/#',
              qos: 1,
              noLocal: false,
              retainAsPublished: false,
              retainHandling: 0,
              subscriptionIdentifier: 0,
            },
          ],
          remove: [],
        },
        'gateway:gw-x',
        false,
      );
      // Temporary with a will: removed here, its will due at once.
      await open(`gx-t${i}`, 'gw-x', `runA.t${i}`, { sessionExpiryInterval: 0, ...will(0) });
    }
    const [a, b] = await Promise.all([lossesA.notice('gw-x', [], 0), lossesB.notice('gw-x', [], 0)]);
    assert.equal(a.parking + b.parking, 10);
    assert.equal(a.closed + b.closed, 10);
    const lost = await outbox(`${s.workAll.slice(0, -1)}lost.`);
    assert.equal(lost.length, 10);
    assert.deepEqual(new Set(lost.map((w) => w.payload.clientName)).size, 10);
    assert.equal((await outbox(`${s.workAll.slice(0, -1)}will.`)).length, 10);
    for (let i = 0; i < 10; i++) {
      assert.equal(await row(`gx-t${i}`), undefined, 'temporary session removed');
      // Parked sessions stay connected until a gateway has parked and closed them.
      const parked = (await row(`gx-p${i}`)) as { connection: { status: string } };
      assert.equal(parked.connection.status, 'CONNECTION_STATUS_CONNECTED');
    }
    // Noticing again changes nothing.
    const again = await lossesA.notice('gw-x', [], 0);
    assert.deepEqual(again, { parking: 0, closed: 0, young: 0 });

    // The gateway's CloseSession for the lost connection closes it and schedules nothing (no will).
    const closed = await storeA.close(
      { clientName: 'gx-p0', connectionId: 'runA.p0', clean: false, reason: 'gateway lost' },
      'gw-survivor',
    );
    assert.deepEqual(closed, { closed: true, removed: false });
    const p0 = (await row('gx-p0')) as { connection: { status: string; gatewayId: string } };
    assert.equal(p0.connection.status, 'CONNECTION_STATUS_DISCONNECTED');
    assert.equal(p0.connection.gatewayId, 'gw-survivor', 'the parking gateway follows it now');
    // A late CloseSession of the dead run is refused.
    assert.deepEqual(
      await storeB.close({ clientName: 'gx-p0', connectionId: 'runA.p0', clean: true, reason: '' }, 'gw-x'),
      { closed: false, removed: false },
    );
  });

  test('only connections of runs that are not live, and older than the minimum age, are lost', async () => {
    await open('gy-old', 'gw-y', 'old.1');
    await open('gy-new', 'gw-y', 'new.1');
    await open('gy-plain', 'gw-y', 'noprefix'); // a connection id of an older gateway version
    assert.deepEqual(await lossesA.notice('gw-y', ['new'], 60_000), { parking: 0, closed: 0, young: 2 });
    const noticed = await lossesA.notice('gw-y', ['new'], 0);
    assert.deepEqual(noticed, { parking: 0, closed: 2, young: 0 });
    assert.equal(
      ((await row('gy-new')) as { connection: { status: string } }).connection.status,
      'CONNECTION_STATUS_CONNECTED',
    );
    assert.equal(
      ((await row('gy-old')) as { connection: { disconnectionReason: string } }).connection
        .disconnectionReason,
      'gateway lost',
    );
    assert.ok((await lossesA.connectedGateways()).includes('gw-y'));
  });

  test('a connection that comes of age while its gateway is judged is lost or counted young, never neither', async () => {
    // Connected just before its run died, as in the e2e test of a gateway restarted with the same
    // id: the gateway has a live run, so only a young count (or the full pass, ten timeouts
    // later) gets it judged again. Every query on the pool waits first, as on a loaded machine,
    // so the statements of one notice run well apart while the connection comes of age.
    const slow = new Proxy(db, {
      get(target, prop) {
        if (prop === 'query') {
          return async (...args: Parameters<Db['query']>) => {
            await new Promise((r) => setTimeout(r, 600));
            return (target.query as (...a: unknown[]) => unknown)(...args);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const losses = new GatewayLosses(slow, storeA, log, true);
    await open('ge-edge', 'gw-edge', 'old.1');
    await db.query(
      `UPDATE sessions SET connected_at = now() - interval '1700 milliseconds' WHERE client_name = 'ge-edge'`,
    );
    const first = await losses.notice('gw-edge', ['new'], 2000);
    assert.equal(first.closed + first.young, 1, `lost or young: ${JSON.stringify(first)}`);
    if (first.young === 1) assert.equal((await losses.notice('gw-edge', ['new'], 2000)).closed, 1);
    const edge = (await row('ge-edge')) as { connection: { status: string; disconnectionReason: string } };
    assert.equal(edge.connection.status, 'CONNECTION_STATUS_DISCONNECTED');
    assert.equal(edge.connection.disconnectionReason, 'gateway lost');
  });

  test('a will waits for min(delay, expiry); a reconnect cancels it; a due will is handed over once', async () => {
    await open('gz-wait', 'gw-z', 'r.1', { cleanStart: false, sessionExpiryInterval: 7200, ...will(3600) });
    await open('gz-back', 'gw-z', 'r.2', { cleanStart: false, sessionExpiryInterval: 7200, ...will(3600) });
    await open('gz-exp', 'gw-z', 'r.3', { cleanStart: false, sessionExpiryInterval: 1, ...will(3600) });
    await lossesA.notice('gw-z', [], 0);
    const { rows } = await db.query<{ client_name: string; secs: number }>(
      `SELECT client_name, extract(epoch FROM due_at - created_at)::int AS secs FROM pending_wills
        WHERE client_name LIKE 'gz-%' ORDER BY client_name`,
    );
    assert.deepEqual(
      rows.map((r) => [r.client_name, r.secs]),
      [
        ['gz-back', 3600],
        ['gz-exp', 1], // the session ends first [MQTT-3.1.3-9]
        ['gz-wait', 3600],
      ],
    );
    // The client connects again (any gateway): its pending will goes.
    await open('gz-back', 'gw-other', 'o.1', {
      cleanStart: false,
      sessionExpiryInterval: 600,
      ...will(3600),
    });
    const willsBefore = (await outbox(`${s.workAll.slice(0, -1)}will.`)).length;
    await db.query(
      `UPDATE pending_wills SET due_at = now() - interval '1 second' WHERE client_name LIKE 'gz-%'`,
    );
    const released = await Promise.all([lossesA.releaseDueWills(), lossesB.releaseDueWills()]);
    assert.equal(released[0] + released[1], 2);
    const wills = (await outbox(`${s.workAll.slice(0, -1)}will.`)).slice(willsBefore);
    assert.deepEqual(wills.map((w) => w.payload.clientName).sort(), ['gz-exp', 'gz-wait']);
    assert.equal((wills[0]!.payload.will as { willTopic: string }).willTopic, 'lost/will');
    assert.equal(await lossesA.releaseDueWills(), 0);
  });

  test('a loss no gateway took care of within the grace is closed by the session-service', async () => {
    await open('gw-over', 'gw-o', 'o.1', { cleanStart: false, sessionExpiryInterval: 600 });
    await storeA.changeSubscriptions(
      {
        clientName: 'gw-over',
        connectionId: 'o.1',
        add: [
          {
            topicFilter: 'a',
            qos: 2,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
            subscriptionIdentifier: 0,
          },
        ],
        remove: [],
      },
      'gateway:gw-o',
      false,
    );
    assert.equal((await lossesA.notice('gw-o', [], 0)).parking, 1);
    // The earlier tests' losses still wait for their gateway: fresh, whatever the time now.
    await db.query(
      `UPDATE session_losses SET noticed_at = now() + interval '1 hour' WHERE client_name <> 'gw-over'`,
    );
    assert.equal(await lossesA.closeOverdue(60_000), 0, 'within the grace: left to the gateways');
    await db.query(
      `UPDATE session_losses SET noticed_at = now() - interval '1 minute' WHERE client_name = 'gw-over'`,
    );
    assert.equal(await lossesA.closeOverdue(1000), 1);
    const session = (await row('gw-over')) as { connection: { status: string; disconnectionReason: string } };
    assert.equal(session.connection.status, 'CONNECTION_STATUS_DISCONNECTED');
    assert.equal(session.connection.disconnectionReason, 'gateway lost');
    const { rows } = await db.query('SELECT 1 FROM session_losses');
    assert.equal(rows.length, 10 - 1, 'only the losses still waiting for their gateway remain (gx-p1..9)');
  });
});
