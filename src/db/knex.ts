import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { types } from 'pg';

export type Db = Knex;

// bigint (COUNT, SUM) as JS numbers: our amounts are cents and counts, far below 2^53.
types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));
// DATE as the plain 'YYYY-MM-DD' string it is, not a midnight-in-local-time Date.
types.setTypeParser(types.builtins.DATE, (value) => value);

/** How alike a query word and a word of a product's name or SKU must be for catalog search to match them. */
export const WORD_SIMILARITY_THRESHOLD = 0.5;

export const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '../../migrations');

export function createDb(connectionString: string, poolMax = 20): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'mor-checkout' },
    pool: {
      min: 0,
      max: poolMax,
      // Catalog search's typo tolerance: a word matches from word similarity 0.5 (pg_trgm's default, 0.6, misses a
      // swapped pair of letters in a 7-letter word). Set per connection, so it holds on any server, embedded or not.
      afterCreate: (
        connection: { query(sql: string, done: (error?: Error) => void): void },
        done: (error: Error | undefined, connection: unknown) => void,
      ) => {
        connection.query(`SET pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY_THRESHOLD}`, (error) =>
          done(error, connection),
        );
      },
    },
    migrations: { directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'] },
  });
}

/** Applies pending migrations; returns knex's [batch number, applied file names]. */
export async function migrateLatest(db: Db): Promise<[number, string[]]> {
  return db.migrate.latest({ directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'] });
}
