import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRetailerApiSimulator, type RetailerApiSimulator } from '../../src/sandbox/retailer-api';
import { startStripeSandbox, type StripeSandbox } from '../../src/sandbox/stripe';
import { freePort } from './service-process';
import { createTestDatabase, type TestDatabase } from './test-database';

const ROOT = path.resolve(__dirname, '../..');

/** One API or worker process of the fleet, run as `node --import tsx` so SIGKILL reaches the process itself. */
export interface FleetProcess {
  readonly name: string;
  /** The API's base URL (APIs only). */
  readonly url?: string;
  kill(): Promise<void>;
  output(): string;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One shipping address for every shopper of a fleet test (Texas: a state with sales tax). */
export const FLEET_ADDRESS = {
  name: 'Ada Lovelace',
  address1: '1 Congress Ave',
  city: 'Austin',
  state: 'TX',
  zip: '78701',
  country: 'US',
  phone: '5125550100',
};

/** What the fleet's processes share: one database, one queue name, the Stripe sandbox and the retailer simulator. */
export interface FleetParties {
  database: TestDatabase;
  stripe: StripeSandbox;
  simulator: RetailerApiSimulator;
}

export async function startFleetParties(): Promise<FleetParties> {
  const database = await createTestDatabase(3);
  return { database, stripe: await startStripeSandbox(), simulator: await startRetailerApiSimulator() };
}

/** A fleet test's retailer: an api store at the simulator answering after `latencyMs`, selling one KIT. */
export interface FleetStore {
  slug: string;
  latencyMs: number;
  priceCents: number;
}

/** Sends one admin request to an API of the fleet; its HTTP status. */
export type FleetAdminCall = (method: string, path: string, body: object) => Promise<{ status: number }>;

/**
 * Each store as a retailer at the simulator (6.25 % tax, free shipping) and as an api store of the service selling
 * its KIT, created through the admin API.
 */
export async function seedFleetStores(
  simulator: RetailerApiSimulator,
  stores: readonly FleetStore[],
  admin: FleetAdminCall,
): Promise<void> {
  for (const { slug, latencyMs, priceCents } of stores) {
    const apiKey = `${slug}-key`;
    const { baseUrl } = simulator.addRetailer(slug, {
      apiKey,
      catalog: { KIT: { priceCents } },
      taxBasisPoints: 625,
      shippingCents: 0,
      latencyMs,
    });
    const placementConfig = { baseUrl, apiKey, timeoutMs: 10_000 };
    const store = { slug, name: `${slug} shop`, placementMethod: 'api', placementConfig };
    const created = await admin('POST', '/admin/stores', store);
    if (created.status !== 201) throw new Error(`store ${slug}: HTTP ${created.status}`);
    const product = await admin('PUT', '/admin/products', {
      storeSlug: slug,
      sku: 'KIT',
      name: `${slug} kit`,
      priceCents,
    });
    if (product.status !== 201) throw new Error(`product of ${slug}: HTTP ${product.status}`);
  }
}

/** Stops the stand-ins, deletes the queue's Redis keys and drops the database (after the processes are killed). */
export async function stopFleetParties(parties: Partial<FleetParties>, queueName: string): Promise<void> {
  await parties.simulator?.close();
  await parties.stripe?.stop();
  const redis = new Redis(REDIS_URL);
  for await (const keys of redis.scanStream({ match: `bull:${queueName}*`, count: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  }
  await redis.quit();
  await parties.database?.drop();
}

/** The environment every API and worker process of the fleet starts with. */
export const fleetEnv = (parties: FleetParties, queueName: string, jwtSecret: string): Record<string, string> => ({
  DATABASE_URL: parties.database.url,
  DATABASE_POOL_MAX: '5',
  REDIS_URL,
  PLACEMENT_QUEUE_NAME: queueName,
  STRIPE_SECRET_KEY: 'sk_test_fleet',
  STRIPE_API_URL: parties.stripe.url,
  JWT_SECRET: jwtSecret,
});

/** Mulberry32: a small seeded generator, so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function launch(
  entry: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => output, exited };
}

const START_WITHIN_MS = 90_000;

const sigkill = async (child: ChildProcess, exited: Promise<void>) => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
};

/** `src/worker.ts` as a process; resolves once it has started (it logs nothing at warn level, so after a short grace). */
export async function startWorkerProcess(name: string, env: Record<string, string>): Promise<FleetProcess> {
  const { child, output, exited } = launch('src/worker.ts', env);
  return { name, kill: () => sigkill(child, exited), output };
}

/** `src/server.ts` as a process on a free port; resolves once it answers /healthz. */
export async function startApiProcess(name: string, env: Record<string, string>): Promise<FleetProcess> {
  const port = await freePort();
  const { child, output, exited } = launch('src/server.ts', { HOST: '127.0.0.1', PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  // A bound on start-up, not a timing claim: tsx compiles on each start, and CI shares two cores with Vendure and EverShop.
  const deadline = Date.now() + START_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited during start:\n${output()}`);
    const up = await fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await sigkill(child, exited);
      throw new Error(`${name} did not start within ${START_WITHIN_MS / 1000} s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, kill: () => sigkill(child, exited), output };
}
