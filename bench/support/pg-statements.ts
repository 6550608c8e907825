import knexFactory, { type Knex } from 'knex';

/**
 * With `--profile`: what Postgres did per unit of work, statement by statement, from pg_stat_statements (calls and
 * execution time per unit, which includes waiting for row locks, WAL records, for the run's database only; statements run by triggers are counted inside
 * the statement that fired them and also on their own line). Needs the module preloaded
 * (`shared_preload_libraries = 'pg_stat_statements'`, and `pg_stat_statements.track = all` to see trigger
 * statements); otherwise it says so and the benchmark goes on.
 */
export interface StatementStats {
  /** Forgets what was counted so far (call at the start of the measured window). */
  reset(): Promise<void>;
  print(units: number, unit: string): Promise<void>;
  close(): Promise<void>;
}

export async function statementStats(url: string, database: string): Promise<StatementStats | null> {
  const db: Knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  const { rows } = await db.raw(`SELECT current_setting('shared_preload_libraries') AS libraries`);
  if (!String(rows[0].libraries).includes('pg_stat_statements')) {
    console.log('profile: pg_stat_statements is not preloaded; Postgres is not broken down by statement');
    await db.destroy();
    return null;
  }
  await db.raw('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return {
    reset: async () => {
      await db.raw('SELECT pg_stat_statements_reset()');
    },
    async print(units, unit) {
      const { rows: statements } = await db.raw(
        `SELECT calls, total_exec_time + total_plan_time AS ms, wal_records, regexp_replace(query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = ? AND calls > 0 ORDER BY ms DESC LIMIT 16`,
        [database],
      );
      console.log(
        `\nPostgres, per ${unit} (execution time, lock waits included; a trigger's statements are inside the one ` +
          'that fired it):',
      );
      for (const row of statements as { calls: string; ms: number; wal_records: string; query: string }[]) {
        const perUnit = (value: number) => value / Math.max(1, units);
        console.log(
          `  ${perUnit(row.ms).toFixed(3).padStart(7)} ms  ${perUnit(Number(row.calls)).toFixed(2).padStart(5)} calls  ` +
            `${perUnit(Number(row.wal_records)).toFixed(1).padStart(5)} WAL records  ${row.query.slice(0, 110)}`,
        );
      }
    },
    close: () => db.destroy(),
  };
}
