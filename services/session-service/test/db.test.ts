// A Postgres connection lost while a transaction holds it (Postgres stopped or restarted under
// load: src/db.ts checkOut). The pool watches only idle clients; a checked-out client reports the
// loss as an 'error' event, which with nobody listening ended the session-service (found by
// test/e2e/postgres-restart.test.ts under load: the gateways then found nobody on the gRPC port).
// Here the backend of a transaction's client is terminated from another connection, as Postgres
// does to every backend when it stops.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createInfra, type Infra } from '@mqfleet/testkit';
import { createPool, inTransaction, type Db } from '../src/db';

describe('a transaction whose Postgres connection is lost', () => {
  let infra: Infra;
  let db: Db;

  before(async () => {
    infra = await createInfra();
    db = createPool(infra.databaseUrl);
  });
  after(async () => {
    await db?.end();
    await infra?.close();
  });

  it('fails the transaction, not the process, and the pool goes on with a new connection', async () => {
    const result = inTransaction(db, async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Between two queries (no query running: the loss comes as an 'error' event, then 'end';
      // the test listens for the end only, so as not to be the listener the error needs).
      // (Not events.once: it listens for 'error' too.)
      const ended = new Promise<void>((resolve) => tx.on('end', () => resolve()));
      await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await ended;
      await tx.query('SELECT 1');
    });
    await assert.rejects(result, /terminat|Connection/i);
    // The lost client was dropped, not handed out again.
    for (let i = 0; i < 12; i++) {
      const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
      assert.equal(rows[0]!.one, 1);
    }
    assert.equal(await inTransaction(db, async (tx) => (await tx.query('SELECT 2 AS two')).rows[0].two), 2);
  });
});
