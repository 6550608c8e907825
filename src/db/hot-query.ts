import type { Knex } from 'knex';

/** `?` placeholders as Postgres' `$1 … $n`, once per distinct SQL text (the hot statements are a few fixed texts). */
const positional = new Map<string, string>();

function toPositional(sql: string): string {
  let text = positional.get(sql);
  if (text === undefined) {
    let index = 0;
    text = sql.replace(/\?/g, () => `$${++index}`);
    positional.set(sql, text);
  }
  return text;
}

/**
 * Runs a hot, fixed-text statement straight on a pooled node-postgres connection, as a named prepared statement:
 * the same pool, connections and transactions as knex (inside `db.transaction` it runs on the transaction's
 * connection), without the query builder's compile and runner on every call. Profiling the checkout put those at
 * about a tenth of the API's CPU. The rules of `prepared` (src/db/prepared.ts) hold: the name identifies the text
 * (pg refuses a name reused with other text on a connection), columns are named, never `*`.
 *
 * `sql` uses `?` placeholders like `db.raw`, with plain values only (no knex raw fragments, no `??` identifiers,
 * no literal question marks in the text).
 */
export async function hotQuery<Row = Record<string, unknown>>(
  db: Knex,
  name: string,
  sql: string,
  bindings: readonly unknown[],
): Promise<{ rows: Row[]; rowCount: number | null }> {
  const client = db.client as {
    acquireConnection(): Promise<{
      query(config: {
        name: string;
        text: string;
        values: readonly unknown[];
      }): Promise<{ rows: Row[]; rowCount: number | null }>;
    }>;
    releaseConnection(connection: unknown): unknown;
    emit(event: 'query', query: { method: 'raw'; sql: string; bindings: readonly unknown[] }): unknown;
  };
  const fullName = `mor.${name}`;
  if (Buffer.byteLength(fullName) > 63) throw new Error(`prepared statement name too long: ${fullName}`);
  // Like every knex query: listeners of the knex instance's (or its transaction's) `query` event see it.
  client.emit('query', { method: 'raw', sql, bindings });
  const connection = await client.acquireConnection();
  try {
    return await connection.query({ name: fullName, text: toPositional(sql), values: bindings });
  } finally {
    await client.releaseConnection(connection);
  }
}
