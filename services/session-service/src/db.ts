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

export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await db.connect();
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
    tx.release();
  }
}
