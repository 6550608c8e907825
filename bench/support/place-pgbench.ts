import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { cpuUsed, sampleCpu } from './cpu';
import type { BenchDatabase } from './database';

/**
 * The database side of `bench:place`: what a 3-store checkout must write, and nothing else, run by pgbench.
 *
 * One statement per checkout (the least round trips there can be): the session moves processing → placed (a
 * compare-and-set on its attempt), the charge enters the ledger, three orders are written with their items (the
 * history trigger adds their first history rows), the shopper's cart lines are deleted and the idempotency record
 * is written with the answer. The orders, items and answer are those of a checkout the service placed (the same
 * sizes, the same JSON); each pgbench checkout gets its own session, shopper, cart and order numbers, prepared
 * beforehand like the service's payable sessions. Not included, though the service writes them: the outbox event,
 * the claim of the idempotency key before the payment and the session's move to processing.
 * The ledger key `<session>:charge:1` is spelled without a colon: pgbench reads ":name" as a variable even in quotes.
 */
const SCRIPT = `
WITH seq AS (SELECT nextval('bench_pgbench_seq') AS n),
paid AS (
  UPDATE checkout_sessions cs
  SET status = 'placed', payment_intent_id = 'pi_pgb_' || seq.n, lease_expires_at = NULL, placed_at = now(), updated_at = now()
  FROM seq WHERE cs.id = 'cs_pgb_' || seq.n AND cs.status = 'processing' AND cs.payment_attempt = 1
  RETURNING cs.id, cs.user_id, cs.total_cents, cs.currency, seq.n
), ledger AS (
  INSERT INTO payment_transactions (checkout_session_id, type, status, amount_cents, currency, stripe_payment_intent_id, idempotency_key)
  SELECT id, 'charge', 'succeeded', total_cents, currency, 'pi_pgb_' || n, concat_ws(chr(58), id, 'charge', '1') FROM paid
), bought AS (
  DELETE FROM cart_items WHERE cart_id = (SELECT c.id FROM carts c JOIN paid ON c.user_id = paid.user_id)
), o AS (
  INSERT INTO orders (order_number, checkout_session_id, store_id, user_id, placement_method, currency, subtotal_cents,
                      shipping_cents, tax_cents, total_cents, shipping_address, status_reason)
  SELECT 'MO-Z' || lpad((paid.n * 3 + x.k)::text, 9, '0'), paid.id, x.store_id, paid.user_id, 'api', paid.currency,
         x.subtotal_cents, x.shipping_cents, x.tax_cents, x.total_cents, x.shipping_address, 'payment captured; awaiting placement'
  FROM paid, bench_place_template t,
       jsonb_to_recordset(t.orders) AS x(k integer, store_id uuid, subtotal_cents integer, shipping_cents integer,
                                         tax_cents integer, total_cents integer, shipping_address jsonb)
  RETURNING id, store_id
), i AS (
  INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents, total_price_cents, "position")
  SELECT o.id, x.product_id, x.sku, x.name, x.quantity, x.unit_price_cents, x.total_price_cents, x."position"
  FROM o, bench_place_template t,
       jsonb_to_recordset(t.items) AS x(store_id uuid, product_id uuid, sku text, name text, quantity integer,
                                        unit_price_cents integer, total_price_cents integer, "position" integer)
  WHERE x.store_id = o.store_id
), idem AS (
  INSERT INTO idempotency_keys (scope, key, request_fingerprint, status, response_status, response_body)
  SELECT paid.user_id, 'place-' || paid.id, md5(paid.id) || md5(paid.user_id), 'completed', 200, t.body
  FROM paid, bench_place_template t
)
SELECT count(*) FROM o;
`;

export interface PgbenchTargets {
  warmupPerClient: number;
  perClient: number;
}

/**
 * Copies of a placed checkout, back in `processing`, one per pgbench checkout (warm-up included), each with its own
 * shopper and a cart holding the three lines it bought.
 */
export async function preparePgbenchTargets(url: string, clients: number, checkouts: number): Promise<PgbenchTargets> {
  const targets = { warmupPerClient: 3, perClient: Math.max(1, Math.ceil(checkouts / clients)) };
  const count = clients * (targets.warmupPerClient + targets.perClient);
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await db.transaction(async (trx) => {
      const { rows } = await trx.raw(
        `SELECT cs.id FROM checkout_sessions cs WHERE cs.status = 'placed'
           AND (SELECT count(*) FROM orders o WHERE o.checkout_session_id = cs.id) = 3 ORDER BY cs.created_at LIMIT 1`,
      );
      const template = rows[0]?.id as string | undefined;
      if (!template) throw new Error('no placed 3-store checkout to copy for pgbench');
      await trx.raw(
        `CREATE TABLE bench_place_template AS
         SELECT (SELECT jsonb_agg(jsonb_build_object('k', k, 'store_id', o.store_id, 'subtotal_cents', o.subtotal_cents,
                   'shipping_cents', o.shipping_cents, 'tax_cents', o.tax_cents, 'total_cents', o.total_cents,
                   'shipping_address', o.shipping_address))
                 FROM (SELECT o.*, row_number() OVER (ORDER BY o.order_number) AS k FROM orders o WHERE o.checkout_session_id = ?) o) AS orders,
                (SELECT jsonb_agg(jsonb_build_object('store_id', o.store_id, 'product_id', i.product_id, 'sku', i.sku, 'name', i.name,
                   'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents, 'total_price_cents', i.total_price_cents,
                   'position', i."position"))
                 FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.checkout_session_id = ?) AS items,
                (SELECT k.response_body FROM idempotency_keys k WHERE k.key = 'place-' || ?) AS body`,
        [template, template, template],
      );
      await trx.raw(
        `INSERT INTO checkout_sessions
         SELECT (jsonb_populate_record(NULL::checkout_sessions, to_jsonb(t) || jsonb_build_object(
           'id', 'cs_pgb_' || n, 'user_id', 'pgb-user-' || n, 'status', 'processing', 'payment_intent_id', NULL,
           'payment_attempt', 1, 'place_idempotency_key', 'place-cs_pgb_' || n, 'lease_expires_at', now() + interval '1 hour',
           'placed_at', NULL, 'created_at', now(), 'updated_at', now()))).*
         FROM checkout_sessions t, generate_series(1, ?) n WHERE t.id = ?`,
        [count, template],
      );
      await trx.raw(`INSERT INTO carts (user_id) SELECT 'pgb-user-' || n FROM generate_series(1, ?) n`, [count]);
      await trx.raw(
        `INSERT INTO cart_items (cart_id, product_id, quantity)
         SELECT c.id, i.product_id, i.quantity FROM carts c, order_items i JOIN orders o ON o.id = i.order_id
         WHERE c.user_id LIKE 'pgb-user-%' AND o.checkout_session_id = ?`,
        [template],
      );
      await trx.raw('CREATE SEQUENCE bench_pgbench_seq');
    });
    await db.raw('ANALYZE');
  } finally {
    await db.destroy();
  }
  return targets;
}

export interface PgbenchResult {
  /** Checkouts per second, pgbench's tps without connection set-up. */
  rate: number;
  latencyMs: number;
  transactions: number;
  elapsedMs: number;
  /** CPU of the database's backends and of pgbench itself during the measured pass. */
  cpu: Map<string, number> | null;
}

/** A warm-up pass, then the measured one: `clients` connections, prepared statements, a fixed count each. */
export async function runPgbench(
  database: BenchDatabase,
  targets: PgbenchTargets,
  clients: number,
): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mor-place-bench-'));
  try {
    const script = join(dir, 'place.sql');
    await writeFile(script, SCRIPT.trim().replace(/\s*\n\s*/g, ' ') + '\n');
    const target = new URL(database.url);
    const args = (perClient: number) => [
      '-n',
      '-h',
      target.hostname,
      '-p',
      target.port || '5432',
      '-U',
      target.username || 'postgres',
      '-c',
      String(clients),
      '-j',
      '2',
      '-M',
      'prepared',
      '-t',
      String(perClient),
      '-f',
      script,
      database.name,
    ];
    await pgbench(args(targets.warmupPerClient));
    // pgbench's backends exit with it, before an after-sample could see them: they are watched while it runs.
    const backends = watchBackends(database.name);
    const before = sampleCpu({});
    const t0 = performance.now();
    const { output, cpuMs } = await pgbench(args(targets.perClient));
    const elapsedMs = performance.now() - t0;
    const machine = cpuUsed(before, sampleCpu({}));
    const postgresMs = backends.stop();
    const cpu =
      machine &&
      new Map([
        ['postgres', postgresMs],
        ['pgbench', cpuMs],
        ['other processes', Math.max(0, machine.get('other processes')! - postgresMs - cpuMs)],
      ]);
    const rate = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1]);
    if (!rate || transactions !== clients * targets.perClient)
      throw new Error(`pgbench did not finish every checkout:\n${output}`);
    return { rate, latencyMs, transactions, elapsedMs, cpu };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU milliseconds used from now until stop() by the Postgres backends of one database, polled every 100 ms. */
function watchBackends(databaseName: string): { stop(): number } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const poll = () => {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${databaseName} `)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(fields[11]) + Number(fields[12])) * 10;
        if (!first.has(Number(pid))) first.set(Number(pid), ms);
        last.set(Number(pid), ms);
      } catch {
        // exited meanwhile
      }
    }
  };
  poll();
  const firstPollPids = new Set(first.keys());
  const timer = setInterval(poll, 100);
  return {
    stop() {
      clearInterval(timer);
      poll();
      // A backend first seen mid-run started after the first poll (a new connection): all its CPU counts.
      let total = 0;
      for (const [pid, ms] of last) total += ms - (firstPollPids.has(pid) ? first.get(pid)! : 0);
      return total;
    },
  };
}

/** Runs pgbench; its output and the CPU it used (the children's time of this process, which reaps it). */
function pgbench(args: string[]): Promise<{ output: string; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const before = childrenCpuMs();
    const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve({ output, cpuMs: childrenCpuMs() - before });
      else reject(new Error(`pgbench exited ${code}:\n${output}`));
    });
  });
}

/** CPU milliseconds of this process's finished, reaped children (cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}
