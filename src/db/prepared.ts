/**
 * Runs a hot, fixed-shape query as a named prepared statement: node-postgres sends Parse once per connection under
 * `name` and afterwards only Bind/Execute, and Postgres may reuse a cached plan. Parsing and planning were about
 * 60 % of Postgres' time per statement on the checkout path; the query runs through knex as before (same
 * transactions, same bindings), knex just passes `name` on to `pg` (`.options()` is mixed into pg's query config).
 *
 * Only for queries whose SQL text is the same on every call (the bindings may differ). Two rules keep that true:
 *  - The name must identify the text. A query whose shape varies (optional columns, `whereIn` over a list) either
 *    gets a name per shape from a small, fixed set, or is rewritten to one shape (`= ANY(?)`); pg throws
 *    "Prepared statements must be unique" if a name is reused with other text on a connection, so a slip fails
 *    loudly rather than running the wrong statement.
 *  - Name the columns, never `SELECT *` / `RETURNING *`: a cached statement's result type is fixed when it is
 *    prepared, so after a migration adds a column Postgres would refuse it ("cached plan must not change result
 *    type") on every connection that prepared it before, until the pool is recycled.
 * Prepared statements live on a server connection, so this relies on a direct connection or a session-mode pooler
 * (PgBouncer in transaction mode before 1.21 would mix them up across clients).
 */
export function prepared<Q extends { options(options: Readonly<Record<string, unknown>>): Q }>(
  name: string,
  query: Q,
): Q {
  const fullName = `mor.${name}`;
  // Postgres truncates longer names, and two names that truncate alike would collide.
  if (Buffer.byteLength(fullName) > MAX_NAME_BYTES) throw new Error(`prepared statement name too long: ${fullName}`);
  return query.options({ name: fullName });
}

/** NAMEDATALEN - 1. */
const MAX_NAME_BYTES = 63;
