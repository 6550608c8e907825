import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { seedEverShop, type EverShopSeed } from './seed';

/**
 * A real EverShop (@evershop/evershop 2.x, from npm) for the headless placement tests: built once (the build is
 * cached under .evershop/ and redone when the lock file changes), booted on its own fresh Postgres database,
 * seeded through its admin REST API. Setup facts: ../../../../shared/research/real-platforms.md §1.
 */

export interface EverShopPlatform {
  /** e.g. http://127.0.0.1:41234 (EverShop's client code calls this exact origin: never `localhost`). */
  baseUrl: string;
  database: string;
  seed: EverShopSeed;
  stop(): Promise<void>;
}

export interface StartEverShopOptions {
  port?: number;
  /** Progress lines (build, boot, seed). */
  log?: (line: string) => void;
  pgHost?: string;
  pgPort?: number;
  pgUser?: string;
}

/** The directory of this module (and of the EverShop project), whether loaded as CommonJS (jest) or ESM (tsx). */
export const EVERSHOP_DIR: string =
  typeof __dirname === 'string' && existsSync(join(__dirname, 'package.json')) ? __dirname : resolve(process.cwd(), 'tests/platforms/evershop');

const BIN = join(EVERSHOP_DIR, 'node_modules', '@evershop', 'evershop', 'dist', 'bin', 'evershop.js');
const BUILD_STAMP = join(EVERSHOP_DIR, '.evershop', 'build-stamp');
const ADMIN = { name: 'Test Admin', email: 'admin@example.test', password: 'Admin12345' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

function run(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<number> {
  return new Promise((ok, fail) => {
    const out = createWriteStream(logFile);
    const child = spawn(process.execPath, [BIN, ...args], { cwd: EVERSHOP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.once('error', fail);
    child.once('exit', (code) => out.end(() => ok(code ?? 1)));
  });
}

async function lockHash(): Promise<string> {
  const lock = await readFile(join(EVERSHOP_DIR, 'package-lock.json')).catch(() => Buffer.from('no lock'));
  const config = await readFile(join(EVERSHOP_DIR, 'config', 'default.json'));
  return createHash('sha256').update(lock).update(config).digest('hex');
}

/** `evershop build` exits 0 even when webpack failed: success is the log line, not the exit code. */
export async function buildEverShop(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`EverShop is not installed: run npm ci --prefix ${EVERSHOP_DIR}`);
  const hash = await lockHash();
  if ((await readFile(BUILD_STAMP, 'utf8').catch(() => '')) === hash) return;
  // CI starts the build early (tests/platforms/prebuild.ts) while the type check runs: wait for it, never build twice.
  const lock = join(EVERSHOP_DIR, 'build.lock');
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
      const alive = holder > 0 && (() => {
        try {
          process.kill(holder, 0);
          return true;
        } catch {
          return false;
        }
      })();
      if (!alive) await rm(lock, { recursive: true, force: true });
      else await sleep(1_000);
    }
  }
  try {
    if ((await readFile(BUILD_STAMP, 'utf8').catch(() => '')) === hash) return;
    await runBuild(env, log, hash);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function runBuild(env: NodeJS.ProcessEnv, log: (line: string) => void, hash: string): Promise<void> {
  const started = Date.now();
  log('evershop: building (about 2 minutes)');
  const logFile = join(EVERSHOP_DIR, 'build.log');
  const code = await run(['build'], env, logFile);
  const output = await readFile(logFile, 'utf8');
  if (code !== 0 || !output.includes('Compiled successfully') || /Module parse failed|ERROR in /.test(output)) {
    throw new Error(`evershop build failed (exit ${code}); last lines:\n${output.split('\n').slice(-30).join('\n')}`);
  }
  await writeFile(BUILD_STAMP, hash);
  log(`evershop: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`evershop start exited with ${child.exitCode}; see ${join(EVERSHOP_DIR, 'start.log')}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then((res) => res.ok, () => false);
    if (ok) return;
    await sleep(300);
  }
  throw new Error(`evershop did not answer ${url} within ${timeoutMs} ms`);
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  // `start` forks an event manager and a cron process: the whole process group goes.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const force = setTimeout(() => signal('SIGKILL'), 5_000);
  return exited.finally(() => {
    clearTimeout(force);
    signal('SIGKILL');
  });
}

/** The environment EverShop's processes run with (the build needs the same, minus a real database). */
export function everShopEnv({ port, database, pg, baseUrl }: { port: number; database: string; pg: { host: string; port: number; user: string }; baseUrl: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    DB_HOST: pg.host,
    DB_PORT: String(pg.port),
    DB_NAME: database,
    DB_USER: pg.user,
    DB_PASSWORD: '',
    DB_SSLMODE: 'disable',
    JWT_ADMIN_SECRET: 'test-admin-secret-0123456789',
    JWT_ADMIN_REFRESH_SECRET: 'test-admin-refresh-0123456789',
    JWT_CUSTOMER_SECRET: 'test-customer-secret-0123456789',
    JWT_CUSTOMER_REFRESH_SECRET: 'test-customer-refresh-0123456789',
    EVERSHOP_HOME_URL: baseUrl,
  };
  // The jest worker's own NODE_OPTIONS / loaders must not leak into EverShop's processes.
  delete env.NODE_OPTIONS;
  return env;
}

export async function startEverShop(options: StartEverShopOptions = {}): Promise<EverShopPlatform> {
  const log = options.log ?? (() => undefined);
  const pg = { host: options.pgHost ?? '127.0.0.1', port: options.pgPort ?? 5432, user: options.pgUser ?? 'postgres' };
  const database = `evershop_${process.pid}_${randomBytes(3).toString('hex')}`;
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = everShopEnv({ port, database, pg, baseUrl });
  const admin = new Client({ ...pg, database: 'postgres' });
  await admin.connect();
  const dropDatabase = async () => {
    const client = new Client({ ...pg, database: 'postgres' });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => client.end());
  };
  try {
    // Build and database creation do not depend on each other.
    await Promise.all([buildEverShop(env, log), admin.query(`CREATE DATABASE "${database}"`)]);
  } finally {
    await admin.end();
  }

  const started = Date.now();
  const out = createWriteStream(join(EVERSHOP_DIR, 'start.log'));
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: EVERSHOP_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const stop = async () => {
    await stopGroup(child);
    out.end();
    await dropDatabase().catch(() => undefined);
  };
  try {
    // The first boot runs every module's migrations.
    await waitForHttp(`${baseUrl}/`, child, 180_000);
    log(`evershop: serving at ${baseUrl} after ${Math.round((Date.now() - started) / 1000)} s`);
    const created = await run(['user:create', '--name', ADMIN.name, '--email', ADMIN.email, '--password', ADMIN.password], env, join(EVERSHOP_DIR, 'user-create.log'));
    if (created !== 0) throw new Error(`evershop user:create exited with ${created}; see user-create.log`);
    const seed = await seedEverShop(baseUrl, ADMIN);
    log(`evershop: seeded after ${Math.round((Date.now() - started) / 1000)} s`);
    return { baseUrl, database, seed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
