import { Pool } from 'pg';

/**
 * The floor benchmarks' SQL: as many Postgres round trips as the service makes, each a named prepared statement on
 * a pg Pool connection against a tiny scratch table, so the round trips count but our schema's work does not.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS floor_rows (
     id bigserial PRIMARY KEY, k text NOT NULL, v integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE UNIQUE INDEX IF NOT EXISTS floor_rows_k ON floor_rows (k)',
];
/** Callers key rows by shopper or by order, so the table stays small and no two of them contend for a row. */
const STATEMENTS = {
  write: `INSERT INTO floor_rows (k, v) VALUES ($1, $2)
          ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, updated_at = now() RETURNING id, v`,
  read: 'SELECT id, k, v, updated_at FROM floor_rows WHERE k = $1',
};
export type FloorStatement = keyof typeof STATEMENTS;

export interface FloorSql {
  /** One round trip; a no-op when there is no database. */
  run(statement: FloorStatement, values: unknown[]): Promise<void>;
  end(): Promise<void>;
}

/** Creates the scratch table through whatever connection the caller has. Not safe to race: one caller per database. */
export async function createFloorTable(query: (text: string) => Promise<unknown>): Promise<void> {
  for (const statement of SCHEMA) await query(statement);
}

/** A pool for the floor's statements, or (`connectionString` null: FLOOR_SQL=none) no SQL at all. */
export function openFloorSql(
  connectionString: string | null,
  poolMax: number,
  owner: string,
): FloorSql & { pool: Pool | null } {
  const pool = connectionString ? new Pool({ connectionString, max: poolMax }) : null;
  pool?.on('error', (err) => console.warn(`${owner}: idle Postgres client error`, err));
  return {
    pool,
    async run(statement, values) {
      if (!pool) return;
      await pool.query({ name: `floor.${statement}`, text: STATEMENTS[statement], values });
    },
    end: async () => pool?.end(),
  };
}
