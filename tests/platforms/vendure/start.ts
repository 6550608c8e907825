import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface VendurePlatform {
  shopApiUrl: string;
  adminApiUrl: string;
  adminUsername: string;
  adminPassword: string;
  /** The payment method populated for buying on account. */
  paymentMethodCode: string;
  /** The Order custom field that carries a client's reference. */
  orderReferenceField: string;
  stop(): Promise<void>;
}

/** A Vendure that is starting: its addresses are known at once, `ready` settles when it serves (or could not start). */
export interface LaunchedVendure extends VendurePlatform {
  ready: Promise<void>;
}

const ADMIN = { username: 'superadmin', password: 'superadmin' };
const READY = /VENDURE_READY (\d+)/;

/** A port nobody listens on right now (the child binds it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Boots a real Vendure (@vendure/core from this folder's own package.json, sql.js in memory) in its own process:
 * populated with the products of products.csv, US tax 7.25 %, two shipping methods (standard 5.00, express 15.00),
 * an "on-account" payment method that settles at once, and a superadmin. Resolves once it serves.
 */
export async function startVendure(options: { port?: number; timeoutMs?: number } = {}): Promise<VendurePlatform> {
  const { ready, ...platform } = await launchVendure(options);
  await ready;
  return platform;
}

/** Starts Vendure's process and answers at once, so whoever launched it can do other work while it boots. */
export async function launchVendure(options: { port?: number; timeoutMs?: number } = {}): Promise<LaunchedVendure> {
  const dir = __dirname;
  if (!existsSync(join(dir, 'node_modules', '@vendure', 'core'))) {
    throw new Error(`Vendure is not installed: run \`npm ci --prefix ${dir}\` (npm test does it when it is missing)`);
  }
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [join(dir, 'server.cjs')], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), VENDURE_DISABLE_TELEMETRY: 'true', VENDURE_ADMIN_USER: ADMIN.username, VENDURE_ADMIN_PASSWORD: ADMIN.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Vendure did not start within ${options.timeoutMs ?? 120_000} ms:\n${output.slice(-2000)}`)), options.timeoutMs ?? 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (READY.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    void exited.then((code) => fail(new Error(`Vendure exited (${code}) before it served:\n${output.slice(-2000)}`)));
  });
  // Nobody may be waiting yet: a failure to start is reported to whoever awaits `ready`, not as an unhandled rejection.
  ready.catch(() => {});

  const base = `http://127.0.0.1:${port}`;
  return {
    shopApiUrl: `${base}/shop-api`,
    adminApiUrl: `${base}/admin-api`,
    adminUsername: ADMIN.username,
    adminPassword: ADMIN.password,
    paymentMethodCode: 'on-account',
    orderReferenceField: 'clientRef',
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
