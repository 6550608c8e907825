import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { types } from 'pg';

export type Db = Knex;

// bigint (COUNT, SUM) as JS numbers: our amounts are cents and counts, far below 2^53.
types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));
// DATE as the plain 'YYYY-MM-DD' string it is, not a midnight-in-local-time Date.
types.setTypeParser(types.builtins.DATE, (value) => value);

export const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '../../migrations');

export function createDb(connectionString: string, poolMax = 20): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'mor-checkout' },
    pool: { min: 0, max: poolMax },
    migrations: { directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'] },
  });
}

/** Applies pending migrations; returns knex's [batch number, applied file names]. */
export async function migrateLatest(db: Db): Promise<[number, string[]]> {
  return db.migrate.latest({ directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'] });
}
