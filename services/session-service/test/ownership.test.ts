// Client ids belong to someone (src/sessions/rows.ts openRefusal, disowned; docs/mqtt.md): both
// ways a CONNECT opens a stored session, one at a time (SessionStore.open) and in groups
// (connect-batch.ts openMany), against a real database, in each MQFLEET_CLIENT_ID_OWNERSHIP mode.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInfra, type Infra } from '@mqfleet/testkit';
import { subjects as makeSubjects, type ClientIdOwnership } from '@mqfleet/core';
import type { ChangeSubscriptionsRequest__Output, OpenSessionRequest__Output } from '@mqfleet/proto';
import { migrate } from '../src/index';
import { createPool, type Db } from '../src/db';
import { openBatcher } from '../src/connect-batch';
import { SessionStore, type OpenResult } from '../src/sessions';
import { clientKey } from '../src/sessions/rows';
import { declaration } from './helpers';

describe('a CONNECT from another user name (one at a time and in groups)', () => {
  let infra: Infra;
  let db: Db;
  let store: SessionStore;
  let connection = 0;

  before(async () => {
    infra = await createInfra();
    db = createPool(infra.databaseUrl);
    await migrate(db);
    store = new SessionStore(db, makeSubjects(infra.natsPrefix));
  });
  after(async () => {
    await db.end();
    await infra.close();
  });

  const request = (clientName: string, username: string): OpenSessionRequest__Output =>
    ({
      clientName,
      gatewayId: 'gw-owner',
      connectionId: `c${++connection}`,
      ipAddress: '127.0.0.1',
      port: 1,
      username,
      answered: false,
      declared: declaration({ cleanStart: false, sessionExpiryInterval: 600 }),
    }) as unknown as OpenSessionRequest__Output;

  const ways: [string, (req: OpenSessionRequest__Output) => Promise<OpenResult>][] = [
    ['one at a time', (req) => store.open(req)],
    ['in groups', (req) => openBatcher(db, store, (r) => store.open(r)).submit(req)],
  ];

  /** alice's persistent session with a subscription and a pinned setting. */
  async function aliceSession(
    clientName: string,
    open: (r: OpenSessionRequest__Output) => Promise<OpenResult>,
  ) {
    const first = await open(request(clientName, 'alice'));
    assert.equal(first.refusal, undefined);
    await store.changeSubscriptions(
      {
        clientName,
        connectionId: '',
        add: [
          {
            topicFilter: 'alice/#',
            qos: 1,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
            subscriptionIdentifier: 0,
          },
        ],
        remove: [],
      } as unknown as ChangeSubscriptionsRequest__Output,
      'ADMIN',
      true,
    );
    await db.query(`UPDATE sessions SET pinned = '{keepAliveSeconds}' WHERE client_key = $1`, [
      clientKey(clientName),
    ]);
  }

  const row = async (clientName: string) =>
    (
      await db.query<{ mqtt_owner: string | null; pinned: string[]; last_failed_reason: string | null }>(
        'SELECT mqtt_owner, pinned, last_failed_reason FROM sessions WHERE client_key = $1',
        [clientKey(clientName)],
      )
    ).rows[0]!;

  for (const [way, open] of ways) {
    const modes: ClientIdOwnership[] = ['refuse', 'clean-start', 'off'];
    for (const mode of modes) {
      test(`${way}, ${mode}`, async () => {
        store.clientIdOwnership = mode;
        const name = `owned-${way.replaceAll(' ', '-')}-${mode}`;
        await aliceSession(name, open);
        assert.equal((await row(name)).mqtt_owner, 'alice');

        // The owner, in any case, resumes it.
        const again = await open(request(name, 'ALICE'));
        assert.equal(again.refusal, undefined);
        assert.equal(again.sessionPresent, true);

        const bob = await open(request(name, 'bob'));
        if (mode === 'refuse') {
          assert.equal(bob.refusal, 'notOwner');
          assert.equal((await row(name)).last_failed_reason, 'the client id belongs to another user');
          assert.equal((await row(name)).mqtt_owner, 'alice');
          const anonymous = await open(request(name, ''));
          assert.equal(anonymous.refusal, 'notOwner');
        } else if (mode === 'clean-start') {
          assert.equal(bob.refusal, undefined);
          assert.equal(bob.sessionPresent, false);
          assert.deepEqual(bob.session.subscriptions, []);
          const after = await row(name);
          assert.equal(after.mqtt_owner, 'bob');
          assert.deepEqual(after.pinned, []);
          // Now bob's: alice in turn starts clean.
          const alice = await open(request(name, 'alice'));
          assert.equal(alice.sessionPresent, false);
        } else {
          assert.equal(bob.refusal, undefined);
          assert.equal(bob.sessionPresent, true);
          assert.equal(bob.session.subscriptions.length, 1);
        }
      });
    }
  }

  test('a session stored before ownership (no owner recorded) is claimed by its next CONNECT', async () => {
    store.clientIdOwnership = 'refuse';
    await store.open(request('legacy', 'carol'));
    await db.query('UPDATE sessions SET mqtt_owner = NULL WHERE client_key = $1', [clientKey('legacy')]);
    const dave = await store.open(request('legacy', 'Dave'));
    assert.equal(dave.refusal, undefined);
    assert.equal((await row('legacy')).mqtt_owner, 'dave');
    assert.equal((await store.open(request('legacy', 'carol'))).refusal, 'notOwner');
  });
});
