import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { createDb, migrateLatest } from '../../src/db/knex';

/** The server a benchmark creates its throwaway database in (any database there will do to connect). */
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database named `mor_bench_<random>`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `mor_bench_${randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.destroy();
    throw error;
  }
  const drop = async () => {
    try {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.destroy();
    }
  };
  const db = createDb(url.toString(), 1);
  try {
    await migrateLatest(db);
  } catch (error) {
    await db.destroy();
    await drop();
    throw error;
  }
  await db.destroy();
  return { name, url: url.toString(), drop };
}
