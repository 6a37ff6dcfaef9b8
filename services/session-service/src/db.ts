// The session-service is the only process that opens Postgres.
import pg from 'pg';

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

export function createPool(databaseUrl: string): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

const afterCommitHooks = new WeakMap<Tx, (() => void)[]>();

/** Runs fn once the caller's transaction has committed (never if it rolls back). */
export function afterCommit(tx: Tx, fn: () => void): void {
  afterCommitHooks.get(tx)?.push(fn);
}

/**
 * A client checked out of the pool, with `release()` to give it back. The pool watches only its
 * idle clients: a checked-out one whose connection is lost (Postgres stopped or restarted)
 * reports it as an 'error' event, which with nobody listening ends the process. Here the loss
 * fails the client's next query instead, and the client is dropped, not returned to the pool.
 */
export async function checkOut(db: Db): Promise<{ client: Tx; release: () => void }> {
  const client = await db.connect();
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  return {
    client,
    release: () => {
      if (lost) {
        // (The listener stays: a dropped client may report its end again.)
        client.release(lost);
        return;
      }
      client.removeListener('error', onError);
      client.release();
    },
  };
}

export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const { client: tx, release } = await checkOut(db);
  const hooks: (() => void)[] = [];
  afterCommitHooks.set(tx, hooks);
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    await tx.query('COMMIT');
    afterCommitHooks.delete(tx);
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // A hook is an optimisation (see sessions.ts, publishing events at once); never fatal.
      }
    }
    return result;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    afterCommitHooks.delete(tx);
    release();
  }
}
